"""Background work of the district dashboard."""

from __future__ import annotations

from celery import shared_task

from leadership.models import District

from . import rollups


@shared_task
def refresh_dashboards() -> int:
    """Recompute the stale dashboard figures of every district (hourly), so the first visit
    after a district's midnight, or after a busy hour, does not pay for it. Returns how many
    schools were recomputed."""
    count = 0
    for district in District.objects.all():
        stale = rollups.stale_school_ids(district)
        if stale:
            count += rollups.compute(district, stale)
    return count
