from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosteringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rostering"
    verbose_name = _("Rostering")
