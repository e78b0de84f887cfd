"""The one way the portal writes CSV files: every cell is made safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in FORMULA_STARTS else value


def csv_cell(value) -> object:
    """One cell as written. Numbers stay numbers, so a negative value (a change in a measure,
    a negative baseline) still sorts and sums in the spreadsheet: an int or Decimal comes from
    our own numeric columns and cannot carry a formula. Everything else is text and goes
    through csv_safe, even text that looks like a number ("-1+1" is a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return csv_safe(str(value))
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return csv_safe(str(value))


class SafeCsvWriter:
    """csv.writer whose every row goes through csv_cell."""

    def __init__(self, file, **fmtparams):
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file, **fmtparams) -> SafeCsvWriter:
    return SafeCsvWriter(file, **fmtparams)
