"""The one way an update service changes a model: the fields it names, validated, saved alone."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_update(
    *,
    instance: M,
    fields: Iterable[str],
    data: dict,
    check: Callable[[M], None] | None = None,
) -> tuple[M, bool]:
    """Set the `fields` that `data` holds on `instance`, validate and save only those.

    A key of `data` not in `fields` is a caller's mistake and raises (a form field that a
    service would silently drop is worse than an error). `check` runs the service's own rules
    on the instance as it would be saved, before `full_clean`; it runs even when nothing
    changed, as the rules did before there was a helper. Returns the instance and whether a
    field changed; nothing is written when none did.
    """
    fields = list(fields)
    unknown = set(data) - set(fields)
    if unknown:
        raise TypeError(
            f"{type(instance).__name__} update got fields it may not change: {sorted(unknown)}"
        )
    model_fields = {field.name: field for field in instance._meta.concrete_fields}
    changed: list[str] = []
    for name in fields:
        if name not in data:
            continue
        if name not in model_fields:
            raise TypeError(f"{type(instance).__name__} has no field {name!r}")
        if getattr(instance, name) != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    if check is not None:
        check(instance)
    if not changed:
        return instance, False
    instance.full_clean()
    update_fields = [model_fields[name].attname for name in changed]
    updated_at = model_fields.get("updated_at")
    if updated_at is not None and getattr(updated_at, "auto_now", False):
        update_fields.append("updated_at")  # auto_now sets it only when named
    instance.save(update_fields=update_fields)
    return instance, True
