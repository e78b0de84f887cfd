"""Background work of rostering: preview and apply an import, invite the new people.

Thin tasks that take ids and call a service. Celery's autodiscovery finds them, as rostering
is an installed app; outbox rows name them by their dotted path (`rostering.tasks.<name>`).
"""

from __future__ import annotations

from celery import shared_task

from leadership.models import District, School, User

from .models import RosterImport
from .services import (
    roster_import_preview,
    roster_import_run_queued_apply,
    roster_imports_sweep_stalled,
    roster_invitations_create,
)


@shared_task
def preview_roster_import(roster_import_id: int) -> bool:
    """Check the export and count what it would change; runs again harmlessly."""
    roster_import = (
        RosterImport.objects.select_related("district").filter(pk=roster_import_id).first()
    )
    if roster_import is None or roster_import.status != RosterImport.Status.PREVIEWING:
        return False
    roster_import_preview(roster_import=roster_import)
    return True


@shared_task(acks_late=True)
def apply_roster_import(roster_import_id: int) -> bool:
    """Apply once, all or nothing: under the district's lock, with a heartbeat while it runs;
    its status moves from applying to applied (or invalid, or failed with the reason)."""
    return roster_import_run_queued_apply(roster_import_id=roster_import_id)


@shared_task
def sweep_stalled_roster_imports() -> int:
    """Mark failed the applies whose worker vanished (run every minute by Celery beat)."""
    return len(roster_imports_sweep_stalled())


@shared_task
def invite_new_roster_people(district_id: int, actor_id: int, school_id: int | None = None) -> int:
    """Invite the roster's new people; people already invited are skipped, so reruns are safe."""
    district = District.objects.get(pk=district_id)
    school = School.objects.get(pk=school_id, district=district) if school_id else None
    actor = User.objects.filter(pk=actor_id).first()
    return roster_invitations_create(district=district, actor=actor, school=school)
