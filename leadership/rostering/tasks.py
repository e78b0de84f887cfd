"""Background work of rostering: preview and apply an import, invite the new people.

Celery's autodiscover imports `leadership.tasks` only; that module imports this one so the
worker knows these tasks.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from leadership.models import District, RosterImport, School, User


@shared_task
def preview_roster_import(roster_import_id: int) -> bool:
    """Check the export and count what it would change; runs again harmlessly."""
    from .services import roster_import_preview

    roster_import = (
        RosterImport.objects.select_related("district").filter(pk=roster_import_id).first()
    )
    if roster_import is None or roster_import.status != RosterImport.Status.PREVIEWING:
        return False
    roster_import_preview(roster_import=roster_import)
    return True


@shared_task(acks_late=True)
def apply_roster_import(roster_import_id: int) -> bool:
    """Apply once: the row is locked and its status moves from applying to applied/failed."""
    from .services import roster_import_apply

    try:
        with transaction.atomic():
            roster_import = (
                RosterImport.objects.select_for_update(of=("self",))
                .select_related("district", "applied_by")
                .filter(pk=roster_import_id)
                .first()
            )
            if roster_import is None or roster_import.status != RosterImport.Status.APPLYING:
                return False
            roster_import_apply(roster_import=roster_import, actor=roster_import.applied_by)
    except Exception:
        # Everything the apply wrote is rolled back; the report says it failed.
        RosterImport.objects.filter(
            pk=roster_import_id, status=RosterImport.Status.APPLYING
        ).update(status=RosterImport.Status.FAILED)
        raise
    return True


@shared_task
def invite_new_roster_people(district_id: int, actor_id: int, school_id: int | None = None) -> int:
    """Invite the roster's new people; people already invited are skipped, so reruns are safe."""
    from .services import roster_invitations_create

    district = District.objects.get(pk=district_id)
    school = School.objects.get(pk=school_id, district=district) if school_id else None
    actor = User.objects.filter(pk=actor_id).first()
    return roster_invitations_create(district=district, actor=actor, school=school)
