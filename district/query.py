"""The dashboard's view state (filters, sort, page) read from the query string.

Every value is checked against what exists; anything unknown or malformed is dropped with a
notice for the page, never an error, so a bookmarked or hand-edited URL always opens."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

PER_PAGE = 25
MAX_TEXT = 100


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    order: tuple  # ORM ordering expressions, ascending
    numeric: bool = True


def _asc(name: str):
    return F(name).asc(nulls_first=True)


COLUMNS = [
    Column("school", _("School"), (F("school__name").asc(),), numeric=False),
    Column("grades", _("Grades"), (F("school__grade_span").asc(),), numeric=False),
    Column("seats", _("ILT seats filled"), (_asc("seats_filled"), _asc("seats_required"))),
    Column("meetings", _("Meetings, last 30 days"), (_asc("meetings_30d"),)),
    Column("attendance", _("Meeting attendance"), (_asc("attendance_30d"),)),
    Column("open", _("Open action items"), (_asc("actions_open"),)),
    Column("overdue", _("Overdue action items"), (_asc("actions_overdue"),)),
    Column("on_track", _("Goals on track"), (_asc("goals_on_track"),)),
    Column("at_risk", _("Goals at risk"), (_asc("goals_at_risk"),)),
    Column("off_track", _("Goals off track"), (_asc("goals_off_track"),)),
    Column("no_data", _("Goals without enough data"), (_asc("goals_no_data"),)),
    Column("steps", _("Action steps done"), (_asc("steps_done_pct"),)),
    Column("held", _("Family events held"), (_asc("events_held"),)),
    Column("upcoming", _("Family events upcoming"), (_asc("events_upcoming"),)),
    Column("rsvps", _("RSVPs"), (_asc("rsvps"),)),
    Column("turnout", _("Family attendance"), (_asc("event_attendance"),)),
    Column("interpretation", _("Interpretation requests"), (_asc("interpretation_requests"),)),
    Column("survey_rate", _("Latest survey's response rate"), (_asc("survey_response_rate"),)),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

STATUSES = {
    "off_track": (_("Has goals off track"), Q(goals_off_track__gt=0)),
    "at_risk": (_("Has goals at risk"), Q(goals_at_risk__gt=0)),
    "no_data": (_("Has goals without enough data"), Q(goals_no_data__gt=0)),
    "on_track": (
        _("Every goal on track"),
        Q(goals_total__gt=0, goals_on_track=F("goals_total")),
    ),
    "no_plan": (_("No active work plan"), Q(has_plan=False)),
    "vacancies": (
        _("ILT missing or not fully seated"),
        Q(has_ilt=False) | Q(seats_filled__lt=F("seats_required")),
    ),
    "no_meetings": (_("No ILT meeting in 30 days"), Q(meetings_30d=0)),
    "overdue": (_("Has overdue action items"), Q(actions_overdue__gt=0)),
}
KNOWN_PARAMS = {"q", "grades", "status", "priority", "sort", "page"}


@dataclass
class DashboardQuery:
    text: str = ""
    grades: str = ""
    status: str = ""
    priority: int | None = None
    sort: str = "school"
    descending: bool = False
    page: int | str = 1
    notices: list = field(default_factory=list)

    @classmethod
    def parse(cls, params: QueryDict, *, grade_choices, priority_choices) -> DashboardQuery:
        query = cls()
        notices = query.notices
        for name in sorted(set(params) - KNOWN_PARAMS):
            notices.append(
                _("Ignored “%(name)s”: the dashboard has no such filter.") % {"name": name[:40]}
            )
        query.text = " ".join(params.get("q", "").split())[:MAX_TEXT]

        grades = params.get("grades", "")
        if grades and grades not in grade_choices:
            notices.append(
                _("Ignored the grade span “%(value)s”: no school has it.") % {"value": grades[:40]}
            )
        else:
            query.grades = grades

        status = params.get("status", "")
        if status and status not in STATUSES:
            notices.append(
                _("Ignored the status “%(value)s”: not a status the dashboard knows.")
                % {"value": status[:40]}
            )
        else:
            query.status = status

        priority = params.get("priority", "")
        if priority:
            try:
                pk = int(priority)
            except ValueError:
                pk = None
            if pk in priority_choices:
                query.priority = pk
            else:
                notices.append(
                    _("Ignored the priority “%(value)s”: not one of the priorities of this year.")
                    % {"value": priority[:40]}
                )

        sort = params.get("sort", "")
        if sort:
            key = sort.removeprefix("-")
            if key in COLUMN_BY_KEY:
                query.sort, query.descending = key, sort.startswith("-")
            else:
                notices.append(
                    _("Ignored the sort “%(value)s”: not a column.") % {"value": sort[:40]}
                )

        page = params.get("page", "")
        if page:
            if page == "last":
                query.page = "last"
            else:
                try:
                    query.page = max(int(page), 1)
                except ValueError:
                    notices.append(
                        _("Ignored the page “%(value)s”: not a page number.") % {"value": page[:40]}
                    )
        return query

    def apply(self, rollups: QuerySet, *, aligned_to=None) -> QuerySet:
        rows = rollups
        if self.text:
            rows = rows.filter(school__name__icontains=self.text)
        if self.grades:
            rows = rows.filter(school__grade_span=self.grades)
        if self.status:
            rows = rows.filter(STATUSES[self.status][1])
        if self.priority is not None and aligned_to is not None:
            rows = rows.filter(school_id__in=aligned_to(self.priority))
        order = COLUMN_BY_KEY[self.sort].order
        if self.descending:
            order = tuple(expression.copy() for expression in order)
            for expression in order:
                expression.reverse_ordering()
        return rows.order_by(*order, "school__name", "school_id")

    # --- URLs that keep the state --------------------------------------------------------

    def params(self, **changes) -> dict:
        state = {
            "q": self.text,
            "grades": self.grades,
            "status": self.status,
            "priority": self.priority or "",
            "sort": ("-" if self.descending else "") + self.sort
            if self.sort != "school" or self.descending
            else "",
            "page": self.page if self.page != 1 else "",
        }
        state.update(changes)
        return {key: value for key, value in state.items() if value not in ("", None, 1)}

    def querystring(self, **changes) -> str:
        params = self.params(**changes)
        return "?" + urlencode(params) if params else "?"

    def sort_link(self, key: str) -> str:
        """Sort by this column; the column sorted now flips its direction."""
        if key == self.sort:
            value = key if self.descending else "-" + key
        else:
            value = key if not COLUMN_BY_KEY[key].numeric else "-" + key
        return self.querystring(sort=value if value != "school" else "", page="")
