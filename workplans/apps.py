"""Annual work plans, goals, measures, action steps and progress updates."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkplansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workplans"
    verbose_name = _("Workplans")

    def ready(self) -> None:
        # Surveys (voice, a layer below) put their results into plans through this.
        from .voice_link import connect

        connect()

        from leadership import mywork
        from teams import hooks

        from . import my_work, team_pages

        mywork.register(my_work.action_steps)
        hooks.register_team_section(team_pages.team_section)
        hooks.register_agenda_panels(team_pages.agenda_panels)
        hooks.register_meeting_section(team_pages.meeting_section)

    def seed_demo(self, *, district, schools, year) -> str:
        """The district's priorities, and per school an active plan with goals, a year of monthly
        data, action steps and progress updates. A school that has a plan for the year is
        skipped."""
        from .demo import seed

        return seed(district=district, schools=schools, year=year)
