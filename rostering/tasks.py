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
    roster_sync_nightly,
    roster_sync_run,
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


@shared_task(acks_late=True)
def sync_roster_from_sis(roster_import_id: int, full: bool = False) -> bool:
    """Read the district's SIS into the import, check it, queue the apply when clean. A rerun
    of a sync already past its reading does nothing."""
    return roster_sync_run(roster_import_id=roster_import_id, full=full) is not None


@shared_task
def sync_rosters_nightly() -> int:
    """Queue each night's sync of every district that asked for one (Celery beat)."""
    return len(roster_sync_nightly())
