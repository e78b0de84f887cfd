"""What every app's views share for htmx: request type, partial check, service errors on forms."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def is_partial(request: HtmxHttpRequest, *, target: str | None = None) -> bool:
    """An htmx request that swaps part of the page (the element `target`, when given): not a
    history restore, and not a boosted link or form (htmx swaps the whole body for those, so
    they get the whole page)."""
    htmx = request.htmx
    if not htmx or htmx.history_restore_request or htmx.boosted:
        return False
    return target is None or htmx.target == target


def apply_form_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
