"""Family engagement: events, RSVPs, reminders, check-in and feedback."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engagement"
    verbose_name = _("Engagement")

    def seed_demo(self, *, district, schools, year) -> str:
        from .demo import seed

        return seed(district=district, schools=schools)
