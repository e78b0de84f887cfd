from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadershipConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "leadership"
    verbose_name = _("Leadership")

    def ready(self) -> None:
        # Versions marks for the models edited in the admin, where no service runs: here, as
        # leadership owns those models and the marks (see leadership.signals).
        from . import signals

        signals.connect()
