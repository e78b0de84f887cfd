"""Permission matrix of the district dashboard and priorities: role x URL -> status."""

from leadership.models import DistrictPriority, SignOnProvider
from leadership.services import priority_version, sign_on_provider_version
from tests.leadership.test_permissions import everyone
from tests.matrix import Row, check_row, parametrize


def _district(world):
    return {"slug": world.district.slug}


def _district_with_year(world):
    from tests.teams.factories import current_year

    current_year(world.district)
    return {"slug": world.district.slug}


def _drilldown(world):
    return {"slug": world.district.slug, "school": world.school.slug}


def _far_drilldown(world):
    # A school of another district, asked for under this district's URL.
    return {"slug": world.district.slug, "school": world.far_school.slug}


def _school(world):
    return {"slug": world.school.slug}


def _priority(world):
    from tests.teams.factories import current_year

    priority = DistrictPriority.objects.create(
        district=world.district, school_year=current_year(world.district), title="Literacy"
    )
    return {"slug": world.district.slug, "pk": priority.pk}


def _provider(world):
    provider = SignOnProvider.objects.create(
        district=world.district,
        kind="google",
        label="Riverside Google",
        client_id="id",
        secret="secret",
    )
    return {"slug": world.district.slug, "pk": provider.pk}


def _far_provider(world):
    # Another district's provider, asked for under this district's URL.
    provider = SignOnProvider.objects.create(
        district=world.other_district,
        kind="google",
        label="Hillcrest Google",
        client_id="id",
        secret="secret",
    )
    return {"slug": world.district.slug, "pk": provider.pk}


def _provider_form(world):
    provider = SignOnProvider.objects.get(district=world.district)
    return {
        "kind": "google",
        "label": "Riverside staff",
        "client_id": "id",
        "secret": "",
        "server_url": "",
        "tenant": "",
        "is_active": "on",
        "version": sign_on_provider_version(provider),
    }


DISTRICT_ADMINS_ONLY = everyone(403, anonymous=302, district_admin=200, other_district_admin=404)
DISTRICT_ADMINS_302 = everyone(403, anonymous=302, district_admin=302, other_district_admin=404)
ONLY_404 = everyone(403, anonymous=302, district_admin=404, other_district_admin=404)


def _draft_survey(world):
    from tests.voice.factories import district_survey

    return {"slug": world.district.slug, "pk": district_survey(world).pk}


def _open_survey(world):
    from tests.voice.factories import district_survey

    return {"slug": world.district.slug, "pk": district_survey(world, open_it=True).pk}


def _far_survey(world):
    # Another district's survey, asked for under this district's URL.
    from tests.voice.factories import district_survey

    survey = district_survey(world, district=world.other_district)
    return {"slug": world.district.slug, "pk": survey.pk}


def _second_round(world):
    # An open survey that follows an earlier round (opened in every school as the first).
    from tests.voice.factories import district_survey
    from voice import services

    fall = district_survey(world, open_it=True)
    spring = services.survey_next_round(
        actor=world.district_admin, survey=fall, title={"en": "Spring", "es": "Primavera"}
    )
    services.district_survey_open(actor=world.district_admin, survey=spring)
    return {"slug": world.district.slug, "pk": spring.pk}


def _survey_question(world):
    from tests.voice.factories import district_survey

    survey = district_survey(world)
    question = survey.questions.order_by("position").last()
    return {"slug": world.district.slug, "pk": survey.pk, "question_pk": question.pk}


def _question_form(world):
    return {"kind": "agreement", "text_en": "I feel safe.", "text_es": "Me siento seguro."}


def _survey_form(world):
    return {
        "title_en": "Climate",
        "title_es": "Clima",
        "is_anonymous": "on",
        "staff_audience": "all",
        "families": "on",
    }


def _school_copy(world):
    """Lincoln's copy of the district's open survey, under Lincoln's own survey URLs."""
    from tests.voice.factories import district_survey
    from voice.models import Survey

    survey = district_survey(world, open_it=True)
    copy = Survey.objects.get(copied_from=survey, school=world.school)
    return {"slug": world.school.slug, "pk": copy.pk}


def _copy_answers(world):
    from voice.models import Question

    question = Question.objects.filter(survey__school=world.school, required=True).latest("pk")
    return {f"q{question.pk}": "3", "lang": "en"}


# A school's copy is its school's survey: its staff and families answer it (a district admin
# is not asked), the principal and the district's admins read it, another school sees nothing.
OUTSIDERS_404 = dict(other_school_principal=404, other_district_admin=404)
COPY_AUDIENCE_200 = everyone(200, anonymous=302, district_admin=403, **OUTSIDERS_404)
COPY_AUDIENCE_302 = everyone(302, district_admin=403, **OUTSIDERS_404)
COPY_OWNERS_200 = everyone(403, anonymous=302, principal=200, district_admin=200, **OUTSIDERS_404)
# Its questions are the district's: the owners are sent back to its page, not given a form.
COPY_OWNERS_302 = everyone(403, anonymous=302, principal=302, district_admin=302, **OUTSIDERS_404)

SURVEY_MATRIX = [
    Row("voice:survey_answer", COPY_AUDIENCE_200, kwargs=_school_copy),
    Row(
        "voice:survey_answer",
        COPY_AUDIENCE_302,
        kwargs=_school_copy,
        method="POST",
        data=_copy_answers,
    ),
    Row("voice:survey_detail", COPY_OWNERS_200, kwargs=_school_copy),
    Row("voice:survey_results", COPY_OWNERS_200, kwargs=_school_copy),
    Row("voice:question_add", COPY_OWNERS_302, kwargs=_school_copy),
    Row("district:surveys", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row("district:survey_create", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "district:survey_create",
        DISTRICT_ADMINS_302,
        kwargs=_district,
        method="POST",
        data=_survey_form,
    ),
    Row(
        "district:survey_from_template",
        DISTRICT_ADMINS_302,
        kwargs=_district,
        method="POST",
        data=lambda w: {"template": "family_voice"},
    ),
    Row("district:survey_detail", DISTRICT_ADMINS_ONLY, kwargs=_draft_survey),
    Row("district:survey_detail", DISTRICT_ADMINS_ONLY, kwargs=_open_survey),
    Row("district:survey_detail", ONLY_404, kwargs=_far_survey),
    Row("district:survey_settings", DISTRICT_ADMINS_ONLY, kwargs=_draft_survey),
    Row(
        "district:survey_settings",
        DISTRICT_ADMINS_302,
        kwargs=_draft_survey,
        method="POST",
        data=_survey_form,
    ),
    Row(
        "district:survey_section_add",
        DISTRICT_ADMINS_302,
        kwargs=_draft_survey,
        method="POST",
        data=lambda w: {"title_en": "About you", "title_es": "Sobre usted"},
    ),
    Row("district:survey_question_add", DISTRICT_ADMINS_ONLY, kwargs=_draft_survey),
    Row(
        "district:survey_question_add",
        DISTRICT_ADMINS_302,
        kwargs=_draft_survey,
        method="POST",
        data=_question_form,
    ),
    Row("district:survey_question_edit", DISTRICT_ADMINS_ONLY, kwargs=_survey_question),
    Row(
        "district:survey_question_delete",
        DISTRICT_ADMINS_302,
        kwargs=_survey_question,
        method="POST",
    ),
    Row(
        "district:survey_question_move",
        DISTRICT_ADMINS_302,
        kwargs=_survey_question,
        method="POST",
        data=lambda w: {"direction": "up"},
    ),
    Row("district:survey_open", DISTRICT_ADMINS_302, kwargs=_draft_survey, method="POST"),
    Row("district:survey_open", ONLY_404, kwargs=_far_survey, method="POST"),
    Row("district:survey_close", DISTRICT_ADMINS_302, kwargs=_open_survey, method="POST"),
    Row("district:survey_add_schools", DISTRICT_ADMINS_302, kwargs=_open_survey, method="POST"),
    Row("district:survey_add_schools", ONLY_404, kwargs=_far_survey, method="POST"),
    Row("district:survey_results", DISTRICT_ADMINS_ONLY, kwargs=_open_survey),
    Row("district:survey_results", ONLY_404, kwargs=_far_survey),
    Row("district:survey_results_csv", DISTRICT_ADMINS_ONLY, kwargs=_open_survey),
    Row("district:survey_next_round", DISTRICT_ADMINS_ONLY, kwargs=_open_survey),
    Row(
        "district:survey_next_round",
        DISTRICT_ADMINS_302,
        kwargs=_open_survey,
        method="POST",
        data=lambda w: {"title_en": "Spring", "title_es": "Primavera"},
    ),
    # A draft has no results to follow; another district's survey is not found.
    Row("district:survey_next_round", ONLY_404, kwargs=_draft_survey),
    Row("district:survey_next_round", ONLY_404, kwargs=_far_survey),
    Row("district:survey_compare", DISTRICT_ADMINS_ONLY, kwargs=_second_round),
    # The first round has nothing to be compared with.
    Row("district:survey_compare", ONLY_404, kwargs=_open_survey),
    Row("district:survey_compare", ONLY_404, kwargs=_far_survey),
]

MATRIX = [
    Row("district:district_dashboard", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row("district:district_dashboard_csv", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row("district:school_drilldown", DISTRICT_ADMINS_ONLY, kwargs=_drilldown),
    Row(
        "district:school_drilldown",
        everyone(403, anonymous=302, district_admin=404, other_district_admin=404),
        kwargs=_far_drilldown,
    ),
    Row("district:district_priorities", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "district:district_priorities",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_district_with_year,
        method="POST",
        data=lambda w: {"title": "Every student reads", "description": ""},
    ),
    Row("district:priority_edit", DISTRICT_ADMINS_ONLY, kwargs=_priority),
    Row(
        "district:priority_edit",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_priority,
        method="POST",
        data=lambda w: {
            "title": "Literacy for all",
            "description": "",
            "version": priority_version(DistrictPriority.objects.get(district=w.district)),
        },
    ),
    Row("district:sign_on", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "district:sign_on",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_district,
        method="POST",
        data=lambda w: {"staff_password_sign_in": "on"},
    ),
    Row("district:sign_on_provider_add", DISTRICT_ADMINS_ONLY, kwargs=_district),
    Row(
        "district:sign_on_provider_add",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_district,
        method="POST",
        data=lambda w: {
            "kind": "openid_connect",
            "label": "Riverside ID",
            "client_id": "accord",
            "secret": "from-the-console",
            "server_url": "https://id.example.org",
            "tenant": "",
            "is_active": "on",
        },
    ),
    Row("district:sign_on_provider", DISTRICT_ADMINS_ONLY, kwargs=_provider),
    Row(
        "district:sign_on_provider",
        everyone(403, anonymous=302, district_admin=404, other_district_admin=404),
        kwargs=_far_provider,
    ),
    Row(
        "district:sign_on_provider",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_provider,
        method="POST",
        data=_provider_form,
    ),
    Row(
        "district:sign_on_provider_delete",
        everyone(403, anonymous=302, district_admin=302, other_district_admin=404),
        kwargs=_provider,
        method="POST",
    ),
    Row(
        "district:school_dashboard",
        everyone(
            403,
            anonymous=302,
            principal=200,
            district_admin=200,
            other_school_principal=404,
            other_district_admin=404,
        ),
        kwargs=_school,
    ),
]


MATRIX += SURVEY_MATRIX


@parametrize(MATRIX)
def test_permission_matrix(row, role, world, client):
    check_row(row, role, world, client)
