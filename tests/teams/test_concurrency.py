"""Two people at the same moment: minutes saved from the same version, a poll tapped twice."""

import threading
from datetime import timedelta

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


def _consent_proposal(world, **extra):
    from django.utils import timezone

    from teams.models import DecisionRule

    ilt = f.ilt_for(world)
    DecisionRule.objects.create(team=ilt.team, area="staffing", model="consent", who_decides="ILT")
    return services.proposal_open(
        team=ilt.team,
        actor=world.teacher_leader,
        area="staffing",
        title="Recess duty rota",
        text="Two adults on the yard.",
        closes_at=extra.get("closes_at") or timezone.now() + timedelta(days=2),
    )


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_by_one_member_count_once(postgres_only, world):
    from teams.models import ProposalAnswer

    proposal = _consent_proposal(world)
    outcomes = run_together(
        lambda: services.proposal_answer(proposal=proposal, user=world.family, value="consent"),
        lambda: services.proposal_answer(
            proposal=proposal, user=world.family, value="object", objection="Fridays"
        ),
    )
    assert outcomes == sorted(["saved", str(services.PROPOSAL_ANSWERED)])
    assert ProposalAnswer.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_last_two_answers_at_once_state_the_outcome_once(postgres_only, world):
    from teams.models import Decision, Proposal

    proposal = _consent_proposal(world)
    services.proposal_answer(proposal=proposal, user=world.principal, value="consent")
    outcomes = run_together(
        lambda: services.proposal_answer(proposal=proposal, user=world.family, value="consent"),
        lambda: services.proposal_answer(
            proposal=proposal, user=world.teacher_leader, value="consent"
        ),
    )
    assert outcomes == ["saved", "saved"]
    assert Proposal.objects.get(pk=proposal.pk).state == "decided"
    assert Decision.objects.filter(proposal=proposal).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_deadline_racing_a_last_answer_never_counts_it_after_the_outcome(postgres_only, world):
    """Whichever takes the proposal's lock first wins: the answer is either counted in the
    stated outcome, or refused as late; never stored after the outcome was stated."""
    import time_machine
    from django.utils import timezone

    from teams.models import Decision, Proposal, ProposalAnswer

    proposal = _consent_proposal(world)
    services.proposal_answer(proposal=proposal, user=world.principal, value="consent")
    deadline = timezone.now() + timedelta(seconds=0)
    Proposal.objects.filter(pk=proposal.pk).update(closes_at=deadline + timedelta(seconds=1))
    with time_machine.travel(deadline + timedelta(seconds=2), tick=False):
        outcomes = run_together(
            lambda: services.proposal_close_due(proposal=proposal),
            lambda: services.proposal_answer(
                proposal=proposal, user=world.family, value="object", objection="Late"
            ),
        )
    assert "saved" in outcomes
    stated = Proposal.objects.get(pk=proposal.pk)
    assert stated.state == "decided"
    decision = Decision.objects.get(proposal=proposal)
    answers = ProposalAnswer.objects.filter(proposal=proposal).count()
    assert decision.present == answers  # every stored answer is in the outcome
