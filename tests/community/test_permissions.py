"""Permission matrix of the community pages: role x URL -> status.

Beside the shared roles, two more people matter here: another family of the same school,
who must not find a conversation that is not theirs (OTHER_FAMILY below)."""

import pytest
from django.urls import reverse

from community import services, tokens
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
]


@pytest.mark.parametrize(("name", "kwargs", "method", "status"), OTHER_FAMILY)
def test_another_family_of_the_school(world, client, name, kwargs, method, status):
    other = person(Role.FAMILY, school=world.school, email="neighbour@example.org")
    client.force_login(other)
    url = reverse(name, kwargs=kwargs(world))
    response = client.post(url, {"body": "Hi"}) if method == "POST" else client.get(url)
    assert response.status_code == status
