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

        # A migration run beside the old code outdates statements its connections prepared:
        # the connection is closed on the first refusal (leadership.db.forget_stale_plans).
        from celery.signals import task_failure
        from django.core.signals import got_request_exception

        from .db import on_request_exception, on_task_failure

        got_request_exception.connect(on_request_exception, dispatch_uid="stale-plans")
        task_failure.connect(on_task_failure, dispatch_uid="stale-plans", weak=False)
