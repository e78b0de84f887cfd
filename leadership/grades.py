"""Grades of students as OneRoster codes ("KG", "01".."12"...): reading them from a roster or a
school's grade span, ordering them and showing them in words."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

from .models import Grade

ORDER = {code: index for index, code in enumerate(Grade.values)}
# What a roster may say for a grade, beyond the codes themselves.
ALIASES = {"K": "KG", "P": "PK", "PREK": "PK", "PRE-K": "PK", "OTHER": "Other"}
# Stored on a family's survey answer when their children are in more than one of the grades.
SEVERAL = "several"


def normalize(value: str) -> str | None:
    """The OneRoster code for a grade as a roster or a person writes it ("1", "01", "k"), or
    None when it is not a grade."""
    value = (value or "").strip()
    if not value:
        return None
    upper = value.upper()
    if upper.isascii() and upper.isdecimal():
        number = int(upper)
        code = f"{number:02d}"
        return code if code in ORDER and 1 <= number <= 13 else None
    code = ALIASES.get(upper, upper)
    return code if code in ORDER else None


def parse_list(value: str) -> tuple[list[str], list[str]]:
    """(codes, not understood) of a comma-separated list of grades, codes in school order."""
    codes, unknown = set(), []
    for part in (value or "").split(","):
        if not part.strip():
            continue
        code = normalize(part)
        if code is None:
            unknown.append(part.strip())
        else:
            codes.add(code)
    return ordered(codes), unknown


def ordered(codes: Iterable[str]) -> list[str]:
    return sorted({c for c in codes if c in ORDER}, key=ORDER.__getitem__)


def in_span(span: str) -> list[str]:
    """The grades of a school's grade span such as "K-5", "PK-8" or "9-12" (empty when it
    cannot be read)."""
    parts = [p for p in re.split(r"\s*[-\u2013\u2014]\s*|\s+to\s+", (span or "").strip()) if p]
    if len(parts) != 2:
        return []
    first, last = normalize(parts[0]), normalize(parts[1])
    if first is None or last is None or ORDER[first] > ORDER[last]:
        return []
    return [code for code in Grade.values if ORDER[first] <= ORDER[code] <= ORDER[last]]


def label(code: str) -> str:
    if code == SEVERAL:
        return _("Several grades")
    if code in ORDER:
        return str(Grade(code).label)
    return code


def labels(codes: Iterable[str]) -> str:
    return ", ".join(label(code) for code in ordered(codes))
