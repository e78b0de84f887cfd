"""Voice: surveys of staff, families and students, and what was heard, for the plan."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "voice"
    verbose_name = _("Voice")

    def ready(self) -> None:
        from leadership import mywork

        from . import my_work

        mywork.register(my_work.surveys_to_answer)
