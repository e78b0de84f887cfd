"""Community partners: the directory in the family's language with filters, a family asking
for help privately, the coordinator (and nobody else) handling it to closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import services
from community.models import (
    Coordinator,
    Cost,
    HelpRequest,
    HelpStatus,
    Partner,
    ServiceKind,
)
from leadership.models import AuditEntry, Role
from tests.engagement.factories import EventFactory
from tests.leadership.factories import person


def make_partner(
    world, *, name="Food Bank", kinds=("food",), school=None, district_wide=False, **extra
):
    actor = world.district_admin if district_wide else world.principal
    if school == world.other_school:
        actor = world.other_school_principal
    fields = {"phone": "555-0100", "cost": Cost.FREE, "languages": ["en", "es"]} | extra
    return services.partner_create(
        actor=actor,
        school=school or world.school,
        district_wide=district_wide,
        name=name,
        kinds=list(kinds),
        texts={
            "en": (f"{name}: groceries every week.", "Mon-Fri 9-5"),
            "es": (f"{name}: comestibles cada semana.", "lun-vie 9-17"),
        },
        **fields,
    )


@pytest.fixture
def coordinator(world):
    Coordinator.objects.create(school=world.school, user=world.teacher_leader)
    return world.teacher_leader


def _directory(world):
    return reverse("community:directory", kwargs={"slug": world.school.slug})


def test_families_see_the_directory_in_their_language_with_filters(client_for, world):
    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    event = EventFactory(school=world.school)
    make_partner(world, events=[event])
    make_partner(world, name="Legal Aid Society", kinds=["legal_aid"], cost=Cost.SLIDING)
    make_partner(world, name="District Clinic", kinds=["health"], district_wide=True)
    make_partner(world, name="Roosevelt Tutors", kinds=["tutoring"], school=world.other_school)
    client = client_for(world.family)
    page = client.get(_directory(world))
    html = page.content.decode()
    names = [p.name for p in page.context["partners"]]
    assert names == ["District Clinic", "Food Bank", "Legal Aid Society"]  # not Roosevelt's
    assert "comestibles cada semana" in html and "groceries" not in html
    assert "lun-vie 9-17" in html
    assert "Noche familiar de matemáticas" in html  # the event it co-hosts, in Spanish
    assert "Comida" in html  # the kind of help, in Spanish
    assert [
        p.name for p in client.get(_directory(world), {"kind": "legal_aid"}).context["partners"]
    ] == ["Legal Aid Society"]
    assert [
        p.name for p in client.get(_directory(world), {"cost": "sliding"}).context["partners"]
    ] == ["Legal Aid Society"]


def test_a_partner_needs_a_way_to_reach_it_and_its_help_described(world):
    with pytest.raises(Exception) as refused:
        services.partner_create(
            actor=world.principal,
            school=world.school,
            name="Nowhere",
            kinds=[],
            texts={},
        )
    assert set(refused.value.message_dict) >= {"phone", "kinds", "description_en"}
    assert not Partner.objects.exists()


def test_only_a_district_admin_adds_a_district_wide_partner(world):
    with pytest.raises(Exception, match="district admin"):
        services.partner_create(
            actor=world.principal,
            school=world.school,
            district_wide=True,
            name="X",
            kinds=["food"],
            phone="1",
            texts={"en": ("x", "")},
        )
    assert not Partner.objects.exists()


def test_a_family_asks_for_help_privately_and_the_coordinator_closes_it(
    client_for, world, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    partner = make_partner(world)
    family = client_for(world.family)
    url = reverse("community:help_request_create", kwargs={"slug": world.school.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = family.post(
            url, {"kind": "food", "partner": partner.pk, "details": "We ran out this week."}
        )
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert (request.family, request.kind, request.partner) == (world.family, "food", partner)
    # The coordinator is told, without what the family wrote.
    [notice] = mailoutbox
    assert notice.to == [coordinator.email]
    assert "Food" in notice.subject and "ran out" not in notice.body
    # The audit trail keeps the kind only.
    entry = AuditEntry.objects.get(action="help.ask")
    assert entry.after == {"kind": "food"}

    # Other staff, the principal and the district do not see it.
    for other in (world.staff, world.principal, world.district_admin):
        assert client_for(other).get(request.get_absolute_url()).status_code == 404
    inbox = reverse("community:help_inbox", kwargs={"slug": world.school.slug})
    assert client_for(world.principal).get(inbox).status_code == 403

    lead = client_for(coordinator)
    assert "We ran out this week." in lead.get(request.get_absolute_url()).content.decode()
    assert [r.pk for r in lead.get(inbox).context["requests"]] == [request.pk]
    response = lead.post(request.get_absolute_url(), {"status": "closed"}, follow=True)
    assert "The request is updated." in response.content.decode()
    request.refresh_from_db()
    assert request.status == HelpStatus.CLOSED and request.handled_by == coordinator
    assert lead.get(inbox).context["requests"].count() == 0
    # The family sees where it stands.
    mine = client_for(world.family).get(url).content.decode()
    assert "Closed" in mine


def test_a_help_request_about_another_family_is_refused(world):
    neighbour = person(Role.FAMILY, school=world.school, email="neighbour@example.org")
    with pytest.raises(Exception, match="your own family only"):
        services.help_request_create(
            actor=world.family, school=world.school, family=neighbour, kind="food"
        )
    assert not HelpRequest.objects.exists()


def test_bad_help_requests_are_refused_in_spanish(client_for, world):
    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    elsewhere = make_partner(world, name="Far", school=world.other_school)
    client = client_for(world.family)
    url = reverse("community:help_request_create", kwargs={"slug": world.school.slug})
    missing = client.post(url, {"details": "?"})
    assert "Elija con qué necesita ayuda." in " ".join(missing.context["form"].errors["kind"])
    too_long = client.post(url, {"kind": "food", "details": "x" * 2001})
    assert "2000" in " ".join(too_long.context["form"].errors["details"])
    with pytest.raises(Exception, match="organizaciones aliadas de su escuela"):
        services.help_request_create(
            actor=world.family,
            school=world.school,
            family=world.family,
            kind="food",
            partner=elsewhere,
        )
    assert not HelpRequest.objects.exists()


def test_a_closed_request_stays_closed(world, coordinator):
    request = services.help_request_create(
        actor=world.family, school=world.school, family=world.family, kind="housing"
    )
    services.help_request_update(actor=coordinator, request=request, status=HelpStatus.CLOSED)
    with pytest.raises(Exception, match="already closed"):
        services.help_request_update(actor=coordinator, request=request, status=HelpStatus.OPEN)


def test_the_principal_names_a_coordinator(client_for, world):
    response = client_for(world.principal).post(
        reverse("community:coordinators", kwargs={"slug": world.school.slug}),
        {"person": world.staff.pk, "allowed": "yes"},
        follow=True,
    )
    assert "is now a community-school coordinator" in response.content.decode()
    assert Coordinator.objects.filter(school=world.school, user=world.staff).exists()
    with pytest.raises(Exception, match="staff member"):
        services.coordinator_set(
            actor=world.principal, school=world.school, person=world.family, allowed=True
        )


def test_every_kind_of_help_can_be_listed(world):
    partner = make_partner(world, kinds=ServiceKind.values)
    assert sorted(partner.services.values_list("kind", flat=True)) == sorted(ServiceKind.values)


# --- editing a partner ------------------------------------------------------------------


def _edit_url(world, partner):
    return reverse("community:partner_edit", kwargs={"slug": world.school.slug, "pk": partner.pk})


def _edit_post(partner, **changes):
    data = {
        "name": partner.name,
        "kinds": ["food"],
        "cost": Cost.FREE,
        "phone": partner.phone,
        "languages": ["en", "es"],
        "description_en": "Food Bank: groceries every week.",
        "hours_en": "Mon-Fri 9-5",
        "description_es": "Food Bank: comestibles cada semana.",
        "hours_es": "lun-vie 9-17",
        "version": services.partner_version(partner),
    }
    return data | changes


def test_the_principal_edits_a_partner_and_families_see_the_change(client_for, world):
    event = EventFactory(school=world.school)
    partner = make_partner(world, events=[event])
    client = client_for(world.principal)
    page = client.get(_edit_url(world, partner))
    assert page.status_code == 200
    assert page.context["form"]["description_es"].value() == "Food Bank: comestibles cada semana."
    response = client.post(
        _edit_url(world, partner),
        _edit_post(
            partner,
            name="Oak Food Bank",
            kinds=["food", "housing"],
            cost=Cost.SLIDING,
            description_es="Comida y ayuda con la renta.",
            hours_es="",
        ),
        follow=True,
    )
    assert "The partner was saved." in response.content.decode()
    partner.refresh_from_db()
    assert (partner.name, partner.cost) == ("Oak Food Bank", Cost.SLIDING)
    assert sorted(s.kind for s in partner.services.all()) == ["food", "housing"]
    assert partner.text("es").description == "Comida y ayuda con la renta."
    assert partner.text("es").hours == ""
    assert list(partner.events.all()) == []  # unticked
    entry = AuditEntry.objects.get(action="partner.update")
    assert entry.before["name"] == "Food Bank" and entry.after["name"] == "Oak Food Bank"
    assert entry.after["kinds"] == ["food", "housing"]
    world.family.preferred_language = "es"
    world.family.save(update_fields=["preferred_language"])
    html = client_for(world.family).get(_directory(world)).content.decode()
    assert "Oak Food Bank" in html and "Comida y ayuda con la renta." in html


def test_a_stale_edit_is_refused_and_both_versions_are_shown(client_for, world):
    partner = make_partner(world)
    loaded = _edit_post(partner, phone="555-0199")
    services.partner_update(
        actor=world.district_admin,
        school=world.school,
        partner=partner,
        version=services.partner_version(partner),
        name="Food Bank",
        kinds=["food"],
        phone="555-0142",
        texts={"en": ("Food Bank: groceries every week.", "")},
    )
    response = client_for(world.principal).post(_edit_url(world, partner), loaded)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this while you were editing it" in html
    assert "555-0142" in html and "555-0199" in html
    partner.refresh_from_db()
    assert partner.phone == "555-0142"
    # Sending again, now knowingly over theirs, saves.
    again = loaded | {"version": response.context["form"].data["version"]}
    assert client_for(world.principal).post(_edit_url(world, partner), again).status_code == 302
    partner.refresh_from_db()
    assert partner.phone == "555-0199"


def test_bad_edits_are_refused_with_a_message_and_nothing_changes(client_for, world):
    partner = make_partner(world)
    client = client_for(world.principal)
    response = client.post(
        _edit_url(world, partner), _edit_post(partner, phone="", description_en="")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The partner was not saved." in html
    assert "Give at least one way to reach it" in html
    assert "Say what help it gives" in html
    partner.refresh_from_db()
    assert partner.phone == "555-0100" and partner.text("en").description.startswith("Food Bank")
    assert not AuditEntry.objects.filter(action="partner.update").exists()
    # A form without its version is out of date, not a blind overwrite.
    stale = _edit_post(partner, phone="555-0111")
    del stale["version"]
    assert (
        "This form is out of date" in client.post(_edit_url(world, partner), stale).content.decode()
    )
    partner.refresh_from_db()
    assert partner.phone == "555-0100"


def test_a_district_wide_partner_is_edited_by_the_district_only(client_for, world):
    partner = make_partner(world, name="District Clinic", kinds=["health"], district_wide=True)
    assert client_for(world.principal).get(_edit_url(world, partner)).status_code == 403
    with pytest.raises(Exception, match="Only a district admin"):
        services.partner_update(
            actor=world.principal,
            school=world.school,
            partner=partner,
            name="Clinic",
            kinds=["health"],
            phone="1",
            texts={"en": ("Care.", "")},
        )
    response = client_for(world.district_admin).post(
        _edit_url(world, partner),
        _edit_post(partner, kinds=["health", "mental_health"], description_es=""),
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.school_id is None  # still the whole district's
    assert sorted(s.kind for s in partner.services.all()) == ["health", "mental_health"]
    assert not partner.texts.filter(language="es").exists()  # emptied: gone
    # Another school's partner does not exist from this school.
    theirs = make_partner(world, name="Roosevelt Tutors", school=world.other_school)
    assert client_for(world.principal).get(_edit_url(world, theirs)).status_code == 404
