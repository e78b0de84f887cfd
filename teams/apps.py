"""Teams (the ILT and others), meetings, decisions and action items."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "teams"
    verbose_name = _("Teams")

    def ready(self) -> None:
        from leadership import mywork

        from . import mywork as mine

        mywork.register(mine.action_items)
        mywork.register(mine.proposals_to_answer)
        mywork.register(mine.items_put_forward)

    def seed_demo(self, *, district, schools, year) -> str:
        """Each school gets an ILT with seats, a charter, a held meeting with approved minutes and
        decisions, and a scheduled meeting with an agenda. Schools that have one are skipped."""
        from .demo import seed

        return seed(district=district, schools=schools, year=year)
