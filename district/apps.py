from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "district"
    label = "district"
    verbose_name = _("District dashboard")

    def seed_demo(self, *, district, schools, year) -> str:
        """Called last by `seed_demo` (district comes after the apps it reads). Compute
        every school's figures once the data is committed (after the apps' marks), so the
        first visit to the dashboard finds them."""
        from django.db import transaction

        from . import rollups

        transaction.on_commit(lambda: rollups.refresh_district(district))
        return str(_("figures of every school computed once the demo is saved"))
