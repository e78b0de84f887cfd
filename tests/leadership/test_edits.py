"""leadership.edits: the version an edit form carries, and a stale save refused by a service."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from leadership import edits, services
from leadership.models import AuditEntry
from workplans.models import Measure


def test_a_version_reads_a_value_not_its_spelling():
    typed = Measure(baseline=Decimal("40"), target=Decimal("65"))
    stored = Measure(baseline=Decimal("40.00"), target=Decimal("65.00"))
    assert edits.version_of(typed, ["baseline", "target"]) == edits.version_of(
        stored, ["baseline", "target"]
    )
    moved = Measure(baseline=Decimal("40.00"), target=Decimal("66.00"))
    assert edits.version_of(moved, ["baseline", "target"]) != edits.version_of(
        stored, ["baseline", "target"]
    )


def test_one_instant_is_one_version_in_any_zone():
    from engagement.models import Event

    utc = datetime(2026, 10, 1, 23, 30, tzinfo=UTC)
    local = utc.astimezone(ZoneInfo("America/Los_Angeles"))
    assert edits.version_of(Event(starts_at=utc), ["starts_at"]) == edits.version_of(
        Event(starts_at=local), ["starts_at"]
    )


def test_the_service_refuses_a_stale_version_and_writes_nothing(world):
    loaded = services.school_vision_version(world.school)
    services.school_vision_update(
        school=world.school, actor=world.teacher_leader, vision_statement="Theirs", version=loaded
    )
    with pytest.raises(edits.StaleEdit) as stale:
        services.school_vision_update(
            school=world.school, actor=world.principal, vision_statement="Mine", version=loaded
        )
    assert stale.value.current.vision_statement == "Theirs"
    assert stale.value.saved_by == world.teacher_leader
    assert stale.value.version == services.school_vision_version(stale.value.current)
    world.school.refresh_from_db()
    assert world.school.vision_statement == "Theirs"
    assert AuditEntry.objects.filter(action="school.vision_update").count() == 1
    # Saving again on the version now saved is the deliberate choice: it goes through.
    services.school_vision_update(
        school=world.school,
        actor=world.principal,
        vision_statement="Mine",
        version=stale.value.version,
    )
    world.school.refresh_from_db()
    assert world.school.vision_statement == "Mine"
