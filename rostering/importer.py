"""One import of a OneRoster export into one district: read it (reader.py), then apply it
(applier.py), on one code path for the preview and the apply.

`RosterRun.run(apply=False)` reads and checks every file and counts what would change;
`run(apply=True)` does the same and writes, in one transaction holding the district's lock,
only when the reading found no error.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from leadership import clock
from leadership.models import District, School, SchoolYear

from .applier import RosterApplier, lock_district
from .reader import DistrictSnapshot, ExportReader, Report
from .source import ExportRefused, ExportSource


def district_snapshot(district: District) -> DistrictSnapshot:
    """What the reader may know of the district: read once, before the export is."""

    def sourced_ids(model) -> frozenset[str]:
        rows = model.objects.filter(district=district).exclude(sourced_id="")
        return frozenset(rows.values_list("sourced_id", flat=True))

    return DistrictSnapshot(
        sourced_id=district.sourced_id,
        today=clock.today_in(district),
        school_sids=sourced_ids(School),
        year_sids=sourced_ids(SchoolYear),
    )


class RosterRun:
    """One reading of an export against one district, then its preview or its apply."""

    def __init__(
        self,
        *,
        district: District,
        source: ExportSource,
        progress: Callable[[int], None] | None = None,
    ):
        self.district = district
        self.source = source
        self.progress = progress or (lambda percent: None)
        self.report = Report()

    def run(self, *, apply: bool) -> Report:
        """Preview (apply=False) or apply. An apply is one transaction that holds the
        district's lock from before the district is read until the commit, so that what it
        read is what it writes over, and a killed apply leaves nothing half-written."""
        if not apply:
            return self._run(apply=False)
        with transaction.atomic():
            lock_district(self.district.pk)
            self.district.refresh_from_db(fields=["sourced_id", "languages", "timezone"])
            return self._run(apply=True)

    def _run(self, *, apply: bool) -> Report:
        report = self.report
        reader = ExportReader(
            source=self.source,
            district=district_snapshot(self.district),
            report=report,
            progress=self.progress,
        )
        try:
            export = reader.read()
        except ExportRefused as refused:
            report.error("", None, refused.template, **refused.params)
            if apply:
                return report
            export = reader.export()
        if apply and report.has_errors:
            return report
        applier = RosterApplier(
            district=self.district, export=export, report=report, progress=self.progress
        )
        try:
            applier.write(apply=apply)
        except ExportRefused as refused:
            report.error("", None, refused.template, **refused.params)
            return report
        report.applied = apply
        self.progress(100)
        return report
