"""Marks for the writes no service makes: the models leadership owns, edited in Django's admin.

The writing services of every app move the schools' data versions themselves
(`versions.mark_changed`, on commit). School, User, District, SchoolYear and DistrictPriority
are also edited in the admin, where no service runs, so their saves and deletes mark here.
Leadership owns these models and the versions, so the signals are connected from its
`ready()` and hold whichever other apps are installed. (Rostering's bulk writes send no
signal and mark the district explicitly.)
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from . import versions
from .models import District, DistrictPriority, Membership, School, SchoolYear, User


def _on_school_change(sender, instance, **kwargs) -> None:
    # Name, grade span and being active show on the dashboard and the school's pages.
    versions.mark_changed(school_ids=[instance.pk])


def _on_user_change(sender, instance, update_fields=None, **kwargs) -> None:
    # People show by name on the schools' pages (owners, authors, members).
    if update_fields is not None and not {"full_name", "email"} & set(update_fields):
        return  # e.g. the last sign-in time
    schools = Membership.objects.filter(user_id=instance.pk, school__isnull=False)
    versions.mark_changed_where(schools.values("school_id"))


def _on_district_change(sender, instance, **kwargs) -> None:
    district_id = instance.pk if isinstance(instance, District) else instance.district_id
    versions.mark_changed(district=district_id)


def connect() -> None:
    """Called once from LeadershipConfig.ready()."""
    post_save.connect(_on_school_change, sender=School, dispatch_uid="versions-school")
    post_save.connect(_on_user_change, sender=User, dispatch_uid="versions-user")
    for model in (District, SchoolYear, DistrictPriority):
        for signal in (post_save, post_delete):
            signal.connect(
                _on_district_change, sender=model, dispatch_uid=f"versions-{model._meta.label}"
            )
