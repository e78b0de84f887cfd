"""Two people at the same moment: minutes saved from the same version, a poll tapped twice."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from teams import services
from teams.models import AgendaItem, PollKind, Vote
from tests.teams import factories as f


def run_together(*actions):
    start = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action):
        try:
            start.wait()
            action()
            outcomes.append("saved")
        except services.StaleMinutes:
            outcomes.append("stale")
        except ValidationError as error:
            outcomes.append(str(error.messages[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_minutes_saves_from_the_same_version_never_overwrite(postgres_only, world):
    ilt = f.ilt_for(world)
    item = f.live_meeting(ilt).current_item
    outcomes = run_together(
        lambda: services.minutes_save(item=item, actor=world.principal, notes="A", version=1),
        lambda: services.minutes_save(item=item, actor=world.teacher_leader, notes="B", version=1),
    )
    assert outcomes == ["saved", "stale"]
    saved = AgendaItem.objects.get(pk=item.pk)
    assert saved.version == 2 and saved.notes in {"A", "B"}


@pytest.mark.django_db(transaction=True)
def test_a_poll_tapped_twice_at_once_counts_once(postgres_only, world):
    ilt = f.ilt_for(world)
    poll = f.open_poll(f.live_meeting(ilt), PollKind.YES_NO)
    outcomes = run_together(
        lambda: services.vote_cast(poll=poll, user=world.family, value="yes"),
        lambda: services.vote_cast(poll=poll, user=world.family, value="no"),
    )
    assert outcomes == sorted(["saved", str(services.POLL_ANSWERED)])
    assert Vote.objects.filter(poll=poll).count() == 1
