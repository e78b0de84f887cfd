"""The survey templates a school copies and edits, written in every language Accord speaks.

A template is data kept in code: copying it makes an ordinary draft survey of the school
(`services.survey_from_template`), whose texts the school then changes as it likes. A school
language missing here is flagged by the builder like any other missing translation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

A, S, M, R, L = "agreement", "single", "multiple", "ranking", "long_text"


def t(en: str, es: str, vi: str) -> dict[str, str]:
    """One text in every language Accord speaks; copying keeps only the school's languages."""
    return {"en": en, "es": es, "vi": vi}


def q(kind, text, options=(), required=False):
    return {"kind": kind, "text": text, "options": list(options), "required": required}


PRACTICES = [
    t(
        "Fostering a cohesive school vision",
        "Fomentar una visión escolar cohesionada",
        "Xây dựng tầm nhìn chung gắn kết cho nhà trường",
    ),
    t(
        "Leading evidence-based strategic improvement",
        "Dirigir la mejora estratégica basada en evidencia",
        "Dẫn dắt cải tiến chiến lược dựa trên minh chứng",
    ),
    t(
        "Promoting shared leadership",
        "Promover el liderazgo compartido",
        "Thúc đẩy tinh thần cùng lãnh đạo",
    ),
    t(
        "Leading professional learning",
        "Dirigir el aprendizaje profesional",
        "Dẫn dắt hoạt động bồi dưỡng chuyên môn",
    ),
    t(
        "Ensuring high-quality instruction",
        "Asegurar una enseñanza de alta calidad",
        "Bảo đảm việc giảng dạy có chất lượng cao",
    ),
    t(
        "Building a positive professional culture",
        "Construir una cultura profesional positiva",
        "Xây dựng văn hóa nghề nghiệp tích cực",
    ),
]
STAGES = [
    t("Beginning", "Inicial", "Khởi đầu"),
    t("Developing", "En desarrollo", "Đang phát triển"),
    t("Established", "Establecido", "Vững vàng"),
    t("Leading", "Ejemplar", "Tiêu biểu"),
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
                            "ILT của chúng ta đang ở mức nào trong thực hành này?",
                        ),
                        STAGES,
                        True,
                    ),
                    q(
                        L,
                        t(
                            "What evidence shows it?",
                            "¿Qué evidencia lo muestra?",
                            "Minh chứng nào cho thấy điều đó?",
                        ),
                    ),
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
            "Bồi dưỡng chuyên môn: điều quý vị mong muốn và cần",
        ),
        "intro": t(
            "Tell us what would help your teaching this year. It takes about five minutes.",
            "Díganos qué ayudaría a su enseñanza este año. Toma unos cinco minutos.",
            "Xin cho chúng tôi biết điều gì sẽ giúp ích cho việc giảng dạy của quý vị trong năm "
            "nay. Việc này mất khoảng năm phút.",
        ),
        "sections": [
            {
                "title": t("Topics", "Temas", "Chủ đề"),
                "questions": [
                    q(
                        M,
                        t(
                            "Which topics would help your teaching most this year?",
                            "¿Qué temas ayudarían más a su enseñanza este año?",
                            "Những chủ đề nào sẽ giúp ích nhiều nhất cho việc giảng dạy của quý vị "
                            "trong năm nay?",
                        ),
                        [
                            t("Reading foundations", "Bases de la lectura", "Kỹ năng đọc nền tảng"),
                            t(
                                "Mathematical discourse",
                                "Discurso matemático",
                                "Thảo luận toán học",
                            ),
                            t("Classroom community", "Comunidad en el aula", "Cộng đồng lớp học"),
                            t(
                                "Supporting multilingual learners",
                                "Apoyo a estudiantes multilingües",
                                "Hỗ trợ học sinh đa ngôn ngữ",
                            ),
                            t(
                                "Using data to plan",
                                "Uso de datos para planificar",
                                "Sử dụng dữ liệu để lập kế hoạch",
                            ),
                            t(
                                "Partnering with families",
                                "Colaboración con las familias",
                                "Hợp tác với gia đình",
                            ),
                        ],
                        True,
                    ),
                    q(
                        A,
                        t(
                            "Last year's professional learning helped my teaching.",
                            "El aprendizaje profesional del año pasado ayudó a mi enseñanza.",
                            "Hoạt động bồi dưỡng chuyên môn năm ngoái đã giúp ích cho việc "
                            "giảng dạy của tôi.",
                        ),
                    ),
                ],
            },
            {
                "title": t("Formats and time", "Formatos y horario", "Hình thức và thời gian"),
                "questions": [
                    q(
                        R,
                        t(
                            "Rank these formats, most useful first.",
                            "Ordene estos formatos, del más útil al menos útil.",
                            "Xin xếp hạng các hình thức này, từ hữu ích nhất đến ít hữu ích nhất.",
                        ),
                        [
                            t("Coaching", "Acompañamiento pedagógico", "Hướng dẫn chuyên môn"),
                            t("Lab classrooms", "Aulas laboratorio", "Lớp học mẫu"),
                            t("Online modules", "Módulos en línea", "Học phần trực tuyến"),
                            t(
                                "Peer observation",
                                "Observación entre colegas",
                                "Dự giờ đồng nghiệp",
                            ),
                            t("Workshops", "Talleres", "Hội thảo chuyên đề"),
                        ],
                    ),
                    q(
                        S,
                        t(
                            "When is the best time for professional learning?",
                            "¿Cuál es el mejor momento para el aprendizaje profesional?",
                            "Thời điểm nào là tốt nhất cho việc bồi dưỡng chuyên môn?",
                        ),
                        [
                            t("Before school", "Antes de clases", "Trước giờ học"),
                            t(
                                "During planning time",
                                "Durante el tiempo de planificación",
                                "Trong thời gian chuẩn bị bài",
                            ),
                            t("After school", "Después de clases", "Sau giờ học"),
                            t(
                                "Early-release days",
                                "Días de salida temprana",
                                "Những ngày tan học sớm",
                            ),
                        ],
                    ),
                    q(
                        L,
                        t(
                            "What else do you want or need to learn?",
                            "¿Qué más quiere o necesita aprender?",
                            "Quý vị còn muốn hoặc cần học thêm điều gì?",
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
        "title": t("Family voice", "La voz de las familias", "Tiếng nói của gia đình"),
        "intro": t(
            "Your answers help the school work better with families.",
            "Sus respuestas ayudan a la escuela a trabajar mejor con las familias.",
            "Câu trả lời của quý vị giúp nhà trường làm việc tốt hơn với các gia đình.",
        ),
        "sections": [
            {
                "title": t(
                    "Communication and welcome", "Comunicación y bienvenida", "Liên lạc và chào đón"
                ),
                "questions": [
                    q(
                        A,
                        t(
                            "The school keeps me informed about my child's learning.",
                            "La escuela me mantiene informado sobre el aprendizaje de mi hijo "
                            "o hija.",
                            "Nhà trường cập nhật cho tôi về việc học của con tôi.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "I feel welcome at my child's school.",
                            "Me siento bienvenido en la escuela de mi hijo o hija.",
                            "Tôi cảm thấy được chào đón tại trường của con tôi.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "I can reach a staff member when I need one.",
                            "Puedo comunicarme con alguien del personal cuando lo necesito.",
                            "Tôi có thể liên lạc với nhân viên nhà trường khi cần.",
                        ),
                    ),
                    q(
                        S,
                        t(
                            "How do you prefer to hear from the school?",
                            "¿Cómo prefiere recibir noticias de la escuela?",
                            "Quý vị muốn nhận tin từ nhà trường bằng cách nào?",
                        ),
                        [
                            t("Text message", "Mensaje de texto", "Tin nhắn điện thoại"),
                            t("E-mail", "Correo electrónico", "Email"),
                            t("Phone call", "Llamada telefónica", "Gọi điện thoại"),
                            t("Paper notes home", "Notas en papel", "Giấy báo gửi về nhà"),
                            t("In person", "En persona", "Gặp trực tiếp"),
                        ],
                    ),
                ],
            },
            {
                "title": t("What would help", "Qué ayudaría", "Điều gì sẽ giúp ích"),
                "questions": [
                    q(
                        L,
                        t(
                            "What would help your family most?",
                            "¿Qué ayudaría más a su familia?",
                            "Điều gì sẽ giúp ích nhiều nhất cho gia đình quý vị?",
                        ),
                    ),
                ],
            },
        ],
    },
    "student_voice": {
        "name": _("Student voice"),
        "anonymous": True,
        "audience": {"students": True},
        "title": t("Student voice", "La voz de los estudiantes", "Tiếng nói của học sinh"),
        "intro": t(
            "There are no right answers. Nobody will know which answers are yours.",
            "No hay respuestas correctas. Nadie sabrá cuáles son sus respuestas.",
            "Không có câu trả lời nào là đúng hay sai. Sẽ không ai biết câu trả lời nào là của em.",
        ),
        "sections": [
            {
                "title": t(
                    "Belonging and being heard",
                    "Pertenencia y ser escuchado",
                    "Cảm giác gắn bó và được lắng nghe",
                ),
                "questions": [
                    q(
                        A,
                        t(
                            "I feel like I belong at this school.",
                            "Siento que pertenezco a esta escuela.",
                            "Em cảm thấy mình là một phần của ngôi trường này.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "Adults at this school listen to students.",
                            "Los adultos de esta escuela escuchan a los estudiantes.",
                            "Người lớn ở trường này lắng nghe học sinh.",
                        ),
                        required=True,
                    ),
                    q(
                        A,
                        t(
                            "There is an adult at school I can talk to.",
                            "Hay un adulto en la escuela con quien puedo hablar.",
                            "Ở trường có một người lớn mà em có thể nói chuyện cùng.",
                        ),
                    ),
                    q(
                        L,
                        t(
                            "What should adults at this school know about students?",
                            "¿Qué deberían saber los adultos de esta escuela sobre los "
                            "estudiantes?",
                            "Người lớn ở trường này nên biết điều gì về học sinh?",
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
            "ILT tự đánh giá: các thực hành cốt lõi của việc cùng lãnh đạo",
        ),
        "intro": t(
            "Rate where our ILT stands on each practice and give the evidence.",
            "Valore en qué punto está nuestro ELI en cada práctica y dé la evidencia.",
            "Hãy đánh giá ILT của chúng ta đang ở mức nào trong từng thực hành và nêu minh chứng.",
        ),
        "sections": _ilt_sections(),
    },
}
