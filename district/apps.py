from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "district"
    label = "district"
    verbose_name = _("District dashboard")

    def ready(self) -> None:
        from . import rollups

        rollups.connect()
