"""Permission matrix of the community pages: role x URL -> status.

Beside the shared roles, two more people matter here: another family of the same school,
who must not find a conversation that is not theirs (OTHER_FAMILY below)."""

import pytest
from django.urls import reverse

from community import services, tokens
from community.models import Coordinator, Partner
from leadership.models import Role
from tests.community import factories as cf
from tests.leadership.factories import person
from tests.matrix import Row, check_row, parametrize


def everyone(status: int, **overrides) -> dict[str, int]:
    from tests.conftest import ROLES

    return {role: overrides.get(role, status) for role in ROLES}


OUTSIDERS_404 = dict(other_school_principal=404, other_district_admin=404)
STAFF = ("principal", "teacher_leader", "staff")
FAMILY_ONLY = everyone(403, anonymous=302, family=200, **OUTSIDERS_404)
# The family that wrote and the school's staff; to the district the conversation is not there.
IN_THREAD = everyone(404, anonymous=302, family=200, principal=200, teacher_leader=200, staff=200)


def _school(world):
    return {"slug": world.school.slug}


def _thread(world):
    row = cf.conversation(world.school, world.family)
    return {"slug": world.school.slug, "pk": row.pk}


def _file(world):
    file = cf.attachment(cf.conversation(world.school, world.family))
    return {"slug": world.school.slug, "pk": file.pk}


def _token(world):
    return {"token": tokens.make_thread_token(cf.conversation(world.school, world.family))}


def _token_file(world):
    row = cf.conversation(world.school, world.family)
    file = cf.attachment(row)
    return {"token": tokens.make_thread_token(row), "pk": file.pk}


TEXTS = {"en": ("Closed Friday", "No school."), "es": ("Cerrado el viernes", "Sin clases.")}


def _announcement(world):
    sent = services.announcement_send(
        actor=world.principal, school=world.school, families="all", to_staff=True, texts=TEXTS
    )
    return {"slug": world.school.slug, "pk": sent.pk}


def _announcement_post(world):
    return {
        "families": "all",
        "title_en": "Closed Friday",
        "body_en": "No school.",
        "title_es": "Cerrado",
        "body_es": "Sin clases.",
    }


PRINCIPAL_ONLY = everyone(403, anonymous=302, principal=200, **OUTSIDERS_404)
PARTNER_KEEPERS = everyone(403, anonymous=302, principal=200, district_admin=200, **OUTSIDERS_404)
# A request for help: the family that asked; for everyone else (the school's staff, the
# principal, the district) it does not exist. Coordinators: COORDINATOR below.
OWN_REQUEST = everyone(404, anonymous=302, family=200)


def _partner(world):
    partner = services.partner_create(
        actor=world.principal,
        school=world.school,
        name="Food Bank",
        kinds=["food"],
        phone="555-0100",
        texts={"en": ("Groceries.", "")},
    )
    return {"slug": world.school.slug, "pk": partner.pk}


def _partner_post(world):
    return {
        "name": "Clinic",
        "kinds": ["health"],
        "cost": "free",
        "phone": "1",
        "description_en": "Care.",
    }


def _partner_edit_post(world):
    partner = Partner.objects.latest("pk")  # the one _partner just made
    return _partner_post(world) | {"version": services.partner_version(partner)}


def _help(world):
    request = services.help_request_create(
        actor=world.family, school=world.school, family=world.family, kind="food"
    )
    return {"slug": world.school.slug, "pk": request.pk}


MATRIX = [
    Row("community:conversation_list", FAMILY_ONLY, kwargs=_school),
    Row(
        "community:conversation_list",
        everyone(403, anonymous=302, family=302, **OUTSIDERS_404),
        kwargs=_school,
        method="POST",
        data=lambda w: {"topic": "question", "subject": "Bus", "body": "Which stop?"},
    ),
    Row("community:conversation_detail", IN_THREAD, kwargs=_thread),
    Row(
        "community:conversation_detail",
        {**IN_THREAD, **{r: 302 for r in ("family", *STAFF)}},
        kwargs=_thread,
        method="POST",
        data=lambda w: {"body": "Thank you."},
    ),
    Row(
        "community:conversation_close",
        {**IN_THREAD, **{r: 302 for r in ("family", *STAFF)}},
        kwargs=_thread,
        method="POST",
    ),
    Row("community:attachment_download", IN_THREAD, kwargs=_file),
    Row(
        "community:inbox",
        everyone(403, anonymous=302, **{r: 200 for r in STAFF}, **OUTSIDERS_404),
        kwargs=_school,
    ),
    Row(
        "community:response_times",
        everyone(403, anonymous=302, principal=200, **OUTSIDERS_404),
        kwargs=_school,
    ),
    Row("community:announcement_list", PRINCIPAL_ONLY, kwargs=_school),
    Row("community:announcement_create", PRINCIPAL_ONLY, kwargs=_school),
    Row(
        "community:announcement_create",
        {**PRINCIPAL_ONLY, "principal": 302},
        kwargs=_school,
        method="POST",
        data=_announcement_post,
    ),
    # Those it was sent to read it; the district does not.
    Row(
        "community:announcement_detail",
        everyone(200, anonymous=302, district_admin=404, **OUTSIDERS_404),
        kwargs=_announcement,
    ),
    Row(
        "community:announcers",
        {**PRINCIPAL_ONLY, "principal": 302},
        kwargs=_school,
        method="POST",
        data=lambda w: {"person": w.staff.pk, "allowed": "yes"},
    ),
    Row("community:directory", everyone(200, anonymous=302, **OUTSIDERS_404), kwargs=_school),
    Row("community:partner_create", PARTNER_KEEPERS, kwargs=_school),
    Row(
        "community:partner_create",
        {**PARTNER_KEEPERS, "principal": 302, "district_admin": 302},
        kwargs=_school,
        method="POST",
        data=_partner_post,
    ),
    Row("community:partner_edit", PARTNER_KEEPERS, kwargs=_partner),
    Row(
        "community:partner_edit",
        {**PARTNER_KEEPERS, "principal": 302, "district_admin": 302},
        kwargs=_partner,
        method="POST",
        data=_partner_edit_post,
    ),
    Row(
        "community:partner_remove",
        {**PARTNER_KEEPERS, "principal": 302, "district_admin": 302},
        kwargs=_partner,
        method="POST",
    ),
    Row(
        "community:coordinators",
        {**PRINCIPAL_ONLY, "principal": 302},
        kwargs=_school,
        method="POST",
        data=lambda w: {"person": w.staff.pk, "allowed": "yes"},
    ),
    Row("community:help_request_create", FAMILY_ONLY, kwargs=_school),
    Row(
        "community:help_request_create",
        {**FAMILY_ONLY, "family": 302},
        kwargs=_school,
        method="POST",
        data=lambda w: {"kind": "food"},
    ),
    Row("community:help_inbox", everyone(403, anonymous=302, **OUTSIDERS_404), kwargs=_school),
    Row("community:help_request_detail", OWN_REQUEST, kwargs=_help),
    Row(
        "community:help_request_detail",
        {**OWN_REQUEST, "family": 403},
        kwargs=_help,
        method="POST",
        data=lambda w: {"status": "closed"},
    ),
    # The e-mailed link opens its conversation for whoever holds it, signed in or not.
    Row("community:thread_link", everyone(200), kwargs=_token),
    Row("community:thread_link_file", everyone(200), kwargs=_token_file),
]


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)


# Another family of the same school: the school's pages for families open, another
# family's conversation does not exist for it.
OTHER_FAMILY = [
    ("community:conversation_list", _school, "GET", 200),
    ("community:conversation_detail", _thread, "GET", 404),
    ("community:conversation_detail", _thread, "POST", 404),
    ("community:conversation_close", _thread, "POST", 404),
    ("community:attachment_download", _file, "GET", 404),
    ("community:inbox", _school, "GET", 403),
    ("community:response_times", _school, "GET", 403),
    ("community:directory", _school, "GET", 200),
    ("community:partner_edit", _partner, "GET", 403),
    ("community:help_request_create", _school, "GET", 200),
    ("community:help_request_detail", _help, "GET", 404),
    ("community:help_request_detail", _help, "POST", 404),
    ("community:help_inbox", _school, "GET", 403),
]


@pytest.mark.parametrize(("name", "kwargs", "method", "status"), OTHER_FAMILY)
def test_another_family_of_the_school(world, client, name, kwargs, method, status):
    other = person(Role.FAMILY, school=world.school, email="neighbour@example.org")
    client.force_login(other)
    url = reverse(name, kwargs=kwargs(world))
    response = client.post(url, {"body": "Hi"}) if method == "POST" else client.get(url)
    assert response.status_code == status


# The school's community-school coordinator (a teacher leader the principal named): the
# requests for help are theirs; the rest is what staff may do.
COORDINATOR = [
    ("community:help_inbox", _school, "GET", 200),
    ("community:help_request_detail", _help, "GET", 200),
    ("community:help_request_detail", _help, "POST", 302),
    ("community:partner_create", _school, "GET", 200),
    ("community:partner_edit", _partner, "GET", 200),
    ("community:partner_remove", _partner, "POST", 302),
    ("community:directory", _school, "GET", 200),
    ("community:inbox", _school, "GET", 200),
    ("community:coordinators", _school, "POST", 403),
    ("community:help_request_create", _school, "GET", 403),
]


@pytest.mark.parametrize(("name", "kwargs", "method", "status"), COORDINATOR)
def test_the_coordinator(world, client, name, kwargs, method, status):
    Coordinator.objects.create(school=world.school, user=world.teacher_leader)
    client.force_login(world.teacher_leader)
    url = reverse(name, kwargs=kwargs(world))
    response = client.post(url, {"status": "closed"}) if method == "POST" else client.get(url)
    assert response.status_code == status


def test_a_coordinator_of_another_school_sees_no_request_here(world, client):
    Coordinator.objects.create(school=world.other_school, user=world.other_school_principal)
    client.force_login(world.other_school_principal)
    url = reverse("community:help_request_detail", kwargs=_help(world))
    assert client.get(url).status_code == 404
