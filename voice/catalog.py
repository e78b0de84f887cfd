"""The survey templates a school copies and edits, written in every language Accord speaks.

A template is data kept in code: copying it makes an ordinary draft survey of the school
(`services.survey_from_template`), whose texts the school then changes as it likes. A school
language missing here is flagged by the builder like any other missing translation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

A, S, M, R, L = "agreement", "single", "multiple", "ranking", "long_text"


def t(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


def q(kind, text, options=(), required=False):
    return {"kind": kind, "text": text, "options": list(options), "required": required}


PRACTICES = [
    t("Fostering a cohesive school vision", "Fomentar una visión escolar cohesionada"),
    t(
        "Leading evidence-based strategic improvement",
        "Dirigir la mejora estratégica basada en evidencia",
    ),
    t("Promoting shared leadership", "Promover el liderazgo compartido"),
    t("Leading professional learning", "Dirigir el aprendizaje profesional"),
    t("Ensuring high-quality instruction", "Asegurar una enseñanza de alta calidad"),
    t("Building a positive professional culture", "Construir una cultura profesional positiva"),
]
STAGES = [
    t("Beginning", "Inicial"),
    t("Developing", "En desarrollo"),
    t("Established", "Establecido"),
    t("Leading", "Ejemplar"),
]


def _ilt_sections():
    sections = []
    for practice in PRACTICES:
        sections.append(
            {
                "title": practice,
                "questions": [
                    q(
                        S,
                        t(
                            "Where is our ILT on this practice?",
                            "¿En qué punto está nuestro ELI en esta práctica?",
                        ),
                        STAGES,
                        True,
                    ),
                    q(L, t("What evidence shows it?", "¿Qué evidencia lo muestra?")),
                ],
            }
        )
    return sections


TEMPLATES: dict[str, dict] = {
    "pl_needs": {
        "name": _("Teachers' professional-learning needs"),
        "anonymous": True,
        "audience": {"staff_audience": "all"},
        "title": t(
            "Professional learning: what you want and need",
            "Aprendizaje profesional: lo que usted quiere y necesita",
        ),
        "intro": t(
            "Tell us what would help your teaching this year. It takes about five minutes.",
            "Díganos qué ayudaría a su enseñanza este año. Toma unos cinco minutos.",
        ),
        "sections": [
            {
                "title": t("Topics", "Temas"),
                "questions": [
                    q(
                        M,
                        t(
                            "Which topics would help your teaching most this year?",
                            "¿Qué temas ayudarían más a su enseñanza este año?",
                        ),
                        [
                            t("Reading foundations", "Bases de la lectura"),
                            t("Mathematical discourse", "Discurso matemático"),
                            t("Classroom community", "Comunidad en el aula"),
                            t(
                                "Supporting multilingual learners",
                                "Apoyo a estudiantes multilingües",
                            ),
                            t("Using data to plan", "Uso de datos para planificar"),
                            t("Partnering with families", "Colaboración con las familias"),
                        ],
                        True,
                    ),
                    q(
                        A,
                        t(
                            "Last year's professional learning helped my teaching.",
                            "El aprendizaje profesional del año pasado ayudó a mi enseñanza.",
                        ),
                    ),
                ],
            },
            {
                "title": t("Formats and time", "Formatos y horario"),
                "questions": [
                    q(
                        R,
                        t(
                            "Rank these formats, most useful first.",
                            "Ordene estos formatos, del más útil al menos útil.",
                        ),
                        [
                            t("Coaching", "Acompañamiento pedagógico"),
                            t("Lab classrooms", "Aulas laboratorio"),
                            t("Online modules", "Módulos en línea"),
                            t("Peer observation", "Observación entre colegas"),
                            t("Workshops", "Talleres"),
                        ],
                    ),
                    q(
                        S,
                        t(
                            "When is the best time for professional learning?",
                            "¿Cuál es el mejor momento para el aprendizaje profesional?",
                        ),
                        [
                            t("Before school", "Antes de clases"),
                            t("During planning time", "Durante el tiempo de planificación"),
                            t("After school", "Después de clases"),
                            t("Early-release days", "Días de salida temprana"),
                        ],
                    ),
                    q(
                        L,
                        t(
                            "What else do you want or need to learn?",
                            "¿Qué más quiere o necesita aprender?",
                        ),
                    ),
                ],
            },
        ],
    },
    "family_voice": {
        "name": _("Family voice"),
        "anonymous": True,
        "audience": {"families": True},
        "title": t("Family voice", "La voz de las familias"),
        "intro": t(
            "Your answers help the school work better with families.",
            "Sus respuestas ayudan a la escuela a trabajar mejor con las familias.",
        ),
        "sections": [
            {
                "title": t("Communication and welcome", "Comunicación y bienvenida"),
                "questions": [
                    q(
                        A,
                        t(
                            "The school keeps me informed about my child's learning.",
                            "La escuela me mantiene informado sobre el aprendizaje de mi hijo "
                            "o hija.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "I feel welcome at my child's school.",
                            "Me siento bienvenido en la escuela de mi hijo o hija.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "I can reach a staff member when I need one.",
                            "Puedo comunicarme con alguien del personal cuando lo necesito.",
                        ),
                    ),
                    q(
                        S,
                        t(
                            "How do you prefer to hear from the school?",
                            "¿Cómo prefiere recibir noticias de la escuela?",
                        ),
                        [
                            t("Text message", "Mensaje de texto"),
                            t("E-mail", "Correo electrónico"),
                            t("Phone call", "Llamada telefónica"),
                            t("Paper notes home", "Notas en papel"),
                            t("In person", "En persona"),
                        ],
                    ),
                ],
            },
            {
                "title": t("What would help", "Qué ayudaría"),
                "questions": [
                    q(L, t("What would help your family most?", "¿Qué ayudaría más a su familia?")),
                ],
            },
        ],
    },
    "student_voice": {
        "name": _("Student voice"),
        "anonymous": True,
        "audience": {"students": True},
        "title": t("Student voice", "La voz de los estudiantes"),
        "intro": t(
            "There are no right answers. Nobody will know which answers are yours.",
            "No hay respuestas correctas. Nadie sabrá cuáles son sus respuestas.",
        ),
        "sections": [
            {
                "title": t("Belonging and being heard", "Pertenencia y ser escuchado"),
                "questions": [
                    q(
                        A,
                        t(
                            "I feel like I belong at this school.",
                            "Siento que pertenezco a esta escuela.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "Adults at this school listen to students.",
                            "Los adultos de esta escuela escuchan a los estudiantes.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "There is an adult at school I can talk to.",
                            "Hay un adulto en la escuela con quien puedo hablar.",
                        ),
                    ),
                    q(
                        L,
                        t(
                            "What should adults at this school know about students?",
                            "¿Qué deberían saber los adultos de esta escuela sobre los "
                            "estudiantes?",
                        ),
                    ),
                ],
            }
        ],
    },
    "ilt_self_assessment": {
        "name": _("ILT self-assessment against the core practices"),
        "anonymous": False,
        "audience": {"staff_audience": "teams", "ilt": True},
        "title": t(
            "ILT self-assessment: the core practices of shared leadership",
            "Autoevaluación del ELI: las prácticas esenciales del liderazgo compartido",
        ),
        "intro": t(
            "Rate where our ILT stands on each practice and give the evidence.",
            "Valore en qué punto está nuestro ELI en cada práctica y dé la evidencia.",
        ),
        "sections": _ilt_sections(),
    },
}
