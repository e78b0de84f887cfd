"""Reads of the rostering pages, scoped to the acting district admin."""

from __future__ import annotations

from django.db.models import QuerySet

from leadership.models import District
from leadership.permissions import is_district_admin

from .models import RosterImport
from .services import new_people_memberships


def roster_imports(*, user, district: District) -> QuerySet[RosterImport]:
    if not is_district_admin(user, district):
        return RosterImport.objects.none()
    return (
        RosterImport.objects.filter(district=district)
        .select_related("uploaded_by", "applied_by")
        .defer("problems")[:20]
    )


def sis_syncs(*, user, district: District) -> QuerySet[RosterImport]:
    """The district's last syncs from its information system, newest first."""
    if not is_district_admin(user, district):
        return RosterImport.objects.none()
    return (
        RosterImport.objects.filter(district=district, source="sis")
        .select_related("uploaded_by")
        .defer("problems")[:10]
    )


def roster_import(*, user, district: District, pk: int) -> RosterImport | None:
    if not is_district_admin(user, district):
        return None
    return (
        RosterImport.objects.filter(district=district, pk=pk)
        .select_related("uploaded_by", "applied_by", "district")
        .first()
    )


def new_people_count(*, user, district: District) -> int:
    if not is_district_admin(user, district):
        return 0
    return new_people_memberships(district=district).values("user_id").distinct().count()
