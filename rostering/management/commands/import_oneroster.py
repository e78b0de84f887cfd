"""Import a OneRoster CSV export (a zip or a folder) into a district, as the upload does."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from leadership import audit
from leadership.models import District
from rostering.importer import RosterRun
from rostering.models import RosterImport
from rostering.reader import Report
from rostering.source import ExportRefused, source_for_path

KINDS = ["schools", "school_years", "people", "memberships"]


def format_report(report: Report) -> str:
    lines = [f"{'':14}{'created':>10}{'updated':>10}{'deactivated':>13}"]
    for kind in KINDS:
        counts = report.counts
        updated = counts.get(f"{kind}_updated", 0) + counts.get(f"{kind}_reactivated", 0)
        lines.append(
            f"{kind:14}{counts.get(f'{kind}_created', 0):>10}{updated:>10}"
            f"{counts.get(f'{kind}_deactivated', 0):>13}"
        )
    lines.append(f"students counted: {report.counts.get('students', 0)}")
    lines.append(f"errors: {report.error_count}, warnings: {report.warning_count}")
    for problem in report.problems:
        where = f"{problem.file}:{problem.line}" if problem.line else problem.file or "-"
        lines.append(f"{problem.severity.upper():8}{where}  {problem.message}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Import a OneRoster 1.1/1.2 CSV export (zip or folder) into a district."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a zip archive or a folder of the export's CSV files")
        parser.add_argument("--district", required=True, help="the district's short name (slug)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count only; change nothing"
        )

    def handle(self, *args, path: str, district: str, dry_run: bool, **options):
        found = District.objects.filter(slug=district).first()
        if found is None:
            raise CommandError(f"No district with the short name {district!r}.")
        try:
            source = source_for_path(path)
        except ExportRefused as refused:
            raise CommandError(refused.message) from refused
        except OSError as error:
            raise CommandError(str(error)) from error
        report = RosterRun(district=found, source=source).run(apply=not dry_run)
        roster_import = RosterImport.objects.create(
            district=found,
            source="command",
            original_name=str(path)[:255],
            version=report.version[:20],
            status=(
                RosterImport.Status.INVALID
                if report.has_errors
                else RosterImport.Status.APPLIED
                if report.applied
                else RosterImport.Status.READY
            ),
            progress=100,
            preview_counts=dict(report.counts) if dry_run else {},
            counts={} if dry_run else dict(report.counts),
            problems=[p.as_list() for p in (report.errors + report.warnings)[:5000]],
            error_count=report.error_count,
            warning_count=report.warning_count,
            applied_at=timezone.now() if report.applied else None,
        )
        if report.applied:
            audit.record(
                actor=None,
                action="rosterimport.apply",
                obj=roster_import,
                after={"counts": dict(report.counts)},
            )
        self.stdout.write(format_report(report))
        if report.has_errors:
            raise CommandError("The export has errors; nothing was changed.")
        self.stdout.write("Dry run: nothing was changed." if dry_run else "Applied.")
