"""Grades of students as OneRoster codes ("KG", "01".."12"...): reading them from a roster or a
school's grade span, ordering them and showing them in words. The words are family-facing (a
family is told which grades a survey is for): this module is in the translation test's
FAMILY_FACING list, and holds nothing else a family does not see."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Grade(models.TextChoices):
    """OneRoster's grade codes (from CEDS), in school order."""

    INFANT = "IT", gettext_lazy("Infant/toddler")
    PRESCHOOL = "PR", gettext_lazy("Preschool")
    PRE_K = "PK", gettext_lazy("Pre-kindergarten")
    TRANSITIONAL_K = "TK", gettext_lazy("Transitional kindergarten")
    KINDERGARTEN = "KG", gettext_lazy("Kindergarten")
    GRADE_1 = "01", gettext_lazy("Grade 1")
    GRADE_2 = "02", gettext_lazy("Grade 2")
    GRADE_3 = "03", gettext_lazy("Grade 3")
    GRADE_4 = "04", gettext_lazy("Grade 4")
    GRADE_5 = "05", gettext_lazy("Grade 5")
    GRADE_6 = "06", gettext_lazy("Grade 6")
    GRADE_7 = "07", gettext_lazy("Grade 7")
    GRADE_8 = "08", gettext_lazy("Grade 8")
    GRADE_9 = "09", gettext_lazy("Grade 9")
    GRADE_10 = "10", gettext_lazy("Grade 10")
    GRADE_11 = "11", gettext_lazy("Grade 11")
    GRADE_12 = "12", gettext_lazy("Grade 12")
    GRADE_13 = "13", gettext_lazy("Grade 13")
    POSTSECONDARY = "PS", gettext_lazy("Postsecondary")
    UNGRADED = "UG", gettext_lazy("Ungraded")
    OTHER = "Other", gettext_lazy("Other")


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
    """The grades of a school's grade span such as "K-5", "PK-8", "Pre-K\u20135" or "9-12" (empty
    when it cannot be read)."""
    # "Pre-K" holds a hyphen of its own: read it as "PK" before splitting on the dash.
    span = re.sub(r"(?i)\bpre[-\s]?k(?:indergarten)?\b", "PK", (span or "").strip())
    parts = [p for p in re.split(r"\s*[-\u2013\u2014]\s*|\s+to\s+", span) if p]
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
