"""Two district admins edit the same district priority: the second sees both and chooses."""

from django.test import Client
from django.urls import reverse

from leadership.models import DistrictPriority, Role
from tests.conflicts import stale_save_refused_then_resubmit_wins
from tests.leadership.factories import person
from tests.teams.factories import current_year


def test_district_priority(world):
    priority = DistrictPriority.objects.create(
        district=world.district, school_year=current_year(world.district), title="Literacy"
    )
    colleague = person(Role.DISTRICT_ADMIN, district=world.district, email="deputy@example.org")
    first, second = Client(), Client()
    first.force_login(world.district_admin)
    second.force_login(colleague)
    stale_save_refused_then_resubmit_wins(
        url=reverse(
            "district:priority_edit", kwargs={"slug": world.district.slug, "pk": priority.pk}
        ),
        first=first,
        second=second,
        second_name=colleague.full_name,
        theirs={"title": "Literacy", "description": "Every grade reads daily."},
        mine={"title": "Literacy", "description": "K-5 reads daily."},
        stored=lambda: DistrictPriority.objects.get(pk=priority.pk).description,
        their_value="Every grade reads daily.",
        my_value="K-5 reads daily.",
        shown=("Every grade reads daily.", "K-5 reads daily."),
    )
