"""Surveys for tests: built through the services, so they are what the builder makes."""

from __future__ import annotations

from voice import services
from voice.models import QuestionKind, StaffAudience, Survey

YES_NO = [{"en": "Yes", "es": "Sí"}, {"en": "No", "es": "No"}]


def draft_survey(world, *, anonymous: bool = True, **audience) -> Survey:
    survey = services.survey_create(
        actor=world.principal,
        school=world.school,
        title={"en": "Staff voice", "es": "La voz del personal"},
        is_anonymous=anonymous,
    )
    settings = {"staff_audience": StaffAudience.ALL, "families": True, "students": True}
    settings.update(audience)
    return services.survey_update(actor=world.principal, survey=survey, **settings)


def add_question(world, survey, kind=QuestionKind.AGREEMENT, **data):
    texts = data.pop("text", {"en": "I belong here.", "es": "Pertenezco aquí."})
    return services.question_save(
        actor=world.principal, survey=survey, kind=kind, text=texts, **data
    )


def open_survey(world, **kwargs) -> tuple[Survey, dict]:
    """An open survey with one question of each kind; returns it and its questions by name."""
    survey = draft_survey(world, **kwargs)
    q = {}
    q["belong"] = add_question(world, survey, required=True)
    q["teach"] = add_question(
        world,
        survey,
        QuestionKind.SINGLE,
        text={"en": "Do you teach reading?", "es": "¿Enseña lectura?"},
        options=YES_NO,
    )
    q["grades"] = add_question(
        world,
        survey,
        QuestionKind.MULTIPLE,
        text={"en": "Which grades?", "es": "¿Qué grados?"},
        options=[{"en": "K-2", "es": "K-2"}, {"en": "3-5", "es": "3-5"}],
        show_if=q["teach"],
        show_if_option=0,
    )
    q["hours"] = add_question(
        world, survey, QuestionKind.NUMBER, text={"en": "Hours of PD?", "es": "¿Horas de FP?"}
    )
    q["wish"] = add_question(
        world,
        survey,
        QuestionKind.LONG_TEXT,
        text={"en": "What would help?", "es": "¿Qué ayudaría?"},
    )
    q["rank"] = add_question(
        world,
        survey,
        QuestionKind.RANKING,
        text={"en": "Rank the formats", "es": "Ordene los formatos"},
        options=[
            {"en": "Coaching", "es": "Acompañamiento"},
            {"en": "Labs", "es": "Laboratorios"},
            {"en": "Modules", "es": "Módulos"},
        ],
    )
    services.survey_open(actor=world.principal, survey=survey)
    survey.refresh_from_db()
    return survey, q


def district_survey(world, *, district=None, open_it: bool = False, **audience) -> Survey:
    """A district's survey with one agreement and one single-choice question, in English and
    Spanish; opened (one copy per active school) when asked."""
    district = district or world.district
    settings = {"staff_audience": StaffAudience.ALL, "families": True}
    settings.update(audience)
    survey = services.district_survey_create(
        actor=world.district_admin,
        district=district,
        title={"en": "District climate", "es": "Clima del distrito"},
        **settings,
    )
    add_question(world, survey, required=True)
    add_question(
        world,
        survey,
        QuestionKind.SINGLE,
        text={"en": "Do you teach reading?", "es": "¿Enseña lectura?"},
        options=YES_NO,
    )
    if open_it:
        survey = services.district_survey_open(actor=world.district_admin, survey=survey)
    return survey
