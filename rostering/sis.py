"""Read a district's roster straight from its student information system over OneRoster REST.

The records are fetched whole (OAuth 2 client credentials, paging with limit and offset,
`dateLastModified` filters for a delta) and written as the OneRoster CSV files the file import
reads, with a manifest that says bulk or delta. The rest (validation, the report, the
all-or-nothing apply) is the file import's own code path: what the SIS sends is checked
exactly as an uploaded export is, and nothing is written before everything has been read.

Standard library only: a POST for the token and GETs with a timeout are all this needs.
Nothing here logs a secret: the client secret and the token are kept out of every message.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

# OneRoster 1.1 and 1.2 REST: where the rostering service lives under the base URL, and the
# scope a read-only rostering client asks for.
PATHS = {"1.1": "ims/oneroster/v1p1", "1.2": "ims/oneroster/rostering/v1p2"}
SCOPES = {
    "1.1": "https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly",
    "1.2": "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly",
}
# The collections the import reads (rostering/reader.py): orgs, academic sessions and users,
# with their roles inside each user in 1.2. Classes and enrollments are not read: Accord
# keeps who holds which role in which school, not who is in which class.
COLLECTIONS = ("orgs", "academicSessions", "users")

ORGS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
SESSIONS = [
    "sourcedId",
    "status",
    "dateLastModified",
    "title",
    "type",
    "startDate",
    "endDate",
    "parentSourcedId",
    "schoolYear",
]
USERS_11 = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
USERS_12 = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
    "userMasterIdentifier",
    "preferredGivenName",
    "preferredMiddleName",
    "preferredFamilyName",
    "primaryOrgSourcedId",
    "pronouns",
    "preferredLanguage",
]
ROLES = [
    "sourcedId",
    "status",
    "dateLastModified",
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
]

# What a person reads when the SIS cannot be read. The import is then "has errors" with this
# one problem, and nothing was changed.
SIS_UNREACHABLE = _(
    "The information system at %(host)s could not be reached (%(reason)s). Nothing was "
    "changed; the next sync tries again."
)
SIS_REFUSED_CREDENTIALS = _(
    "The information system refused the client ID and secret (HTTP %(status)s). Check them "
    "on the connection page; nothing was changed."
)
SIS_ERROR = _(
    "The information system answered HTTP %(status)s for %(what)s. Nothing was changed; "
    "the next sync tries again."
)
SIS_TIMEOUT = _(
    "The information system did not answer within %(seconds)s seconds for %(what)s. "
    "Nothing was changed; the next sync tries again."
)
SIS_GARBAGE = _(
    "The information system answered %(what)s with something that is not OneRoster JSON. "
    "Nothing was changed; ask its administrator to check the OneRoster service."
)
SIS_TOO_MANY = _(
    "The information system kept sending pages of %(what)s past %(limit)s records. "
    "Nothing was changed."
)


class SisError(Exception):
    """The SIS could not be read. Keeps the untranslated message and its values, so that the
    import's report shows it in the reader's language (as rostering.source.ExportRefused)."""

    def __init__(self, template, **params):
        self.template, self.params = template, params
        super().__init__(str(template % params if params else template))


@dataclass
class Connection:
    """What a sync needs to know (rostering.models.SisConnection gives it)."""

    base_url: str
    client_id: str
    client_secret: str
    version: str = "1.1"
    token_url: str = ""
    timeout: float = 30.0
    page_size: int = 500
    max_records: int = 2_000_000

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.base_url).netloc or self.base_url

    def collection_url(self, name: str) -> str:
        return f"{self.base_url.rstrip('/')}/{PATHS[self.version]}/{name}"

    def token_endpoint(self) -> str:
        return self.token_url or f"{self.base_url.rstrip('/')}/token"


@dataclass
class Fetched:
    """Everything read from the SIS, as CSV text by OneRoster file name."""

    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in self.files.items():
                archive.writestr(name, text)
        return buffer.getvalue()


# What was being read, as the message names it: the OneRoster collection (or the token),
# which the SIS's administrator knows by that name in any language.
WHAT = {name: f"/{name}" for name in ("token", *COLLECTIONS)}


class Client:
    """One sync's conversation with the SIS."""

    def __init__(self, connection: Connection, opener=None):
        self.connection = connection
        self.opener = opener or urllib.request.build_opener()
        self.token = ""

    def _open(self, request: urllib.request.Request, what: str):
        seconds = self.connection.timeout
        try:
            response = self.opener.open(request, timeout=seconds)
            return response.status, dict(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            error.read()
            if error.code in (401, 403):
                raise SisError(SIS_REFUSED_CREDENTIALS, status=error.code) from None
            raise SisError(SIS_ERROR, status=error.code, what=WHAT[what]) from None
        except TimeoutError:
            raise SisError(SIS_TIMEOUT, seconds=f"{seconds:g}", what=WHAT[what]) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise SisError(SIS_TIMEOUT, seconds=f"{seconds:g}", what=WHAT[what]) from None
            raise SisError(
                SIS_UNREACHABLE, host=self.connection.host, reason=str(error.reason)[:200]
            ) from None
        except (OSError, ValueError) as error:
            # A connection reset, or a URL that is not one: the reason never holds the secret.
            raise SisError(
                SIS_UNREACHABLE, host=self.connection.host, reason=type(error).__name__
            ) from None

    def sign_in(self) -> None:
        """OAuth 2 client credentials: the client ID and secret in Basic auth, once a sync."""
        c = self.connection
        basic = base64.b64encode(f"{c.client_id}:{c.client_secret}".encode()).decode()
        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "scope": SCOPES[c.version]}
        ).encode()
        request = urllib.request.Request(  # noqa: S310  (the district's own https URL)
            c.token_endpoint(),
            data=body,
            method="POST",
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        _status, _headers, raw = self._open(request, "token")
        try:
            token = json.loads(raw)["access_token"]
        except (ValueError, KeyError, TypeError):
            raise SisError(SIS_GARBAGE, what=WHAT["token"]) from None
        if not isinstance(token, str) or not token:
            raise SisError(SIS_GARBAGE, what=WHAT["token"])
        self.token = token

    def records(self, name: str, since: datetime | None = None):
        """Every record of one collection, page by page (limit and offset), in the SIS's order."""
        c, offset, seen = self.connection, 0, 0
        while True:
            query = {"limit": str(c.page_size), "offset": str(offset)}
            if since is not None:
                stamp = since.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
                query["filter"] = f"dateLastModified>'{stamp}'"
            request = urllib.request.Request(  # noqa: S310  (the district's own https URL)
                f"{c.collection_url(name)}?{urllib.parse.urlencode(query)}",
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            )
            _status, headers, raw = self._open(request, name)
            try:
                page = json.loads(raw)[name]
            except (ValueError, KeyError, TypeError):
                raise SisError(SIS_GARBAGE, what=WHAT[name]) from None
            if not isinstance(page, list) or not all(isinstance(r, dict) for r in page):
                raise SisError(SIS_GARBAGE, what=WHAT[name])
            yield from page
            seen += len(page)
            offset += len(page)
            if seen > c.max_records:
                raise SisError(SIS_TOO_MANY, what=WHAT[name], limit=c.max_records)
            total = _header(headers, "X-Total-Count")
            if not page or len(page) < c.page_size or (total is not None and offset >= total):
                return


def _header(headers: dict[str, str], name: str) -> int | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            try:
                return int(value)
            except ValueError:
                return None
    return None


# --- JSON records to CSV rows (the OneRoster REST binding, read back into the CSV one) ----


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("sourcedId", ""))
    return str(value)


def _ref(record: dict, key: str) -> str:
    value = record.get(key)
    return str(value.get("sourcedId", "")) if isinstance(value, dict) else ""


def _refs(record: dict, key: str) -> str:
    value = record.get(key) or []
    if not isinstance(value, list):
        return ""
    return ",".join(str(v.get("sourcedId", "")) for v in value if isinstance(v, dict))


def _user_ids(record: dict) -> str:
    value = record.get("userIds") or []
    if not isinstance(value, list):
        return ""
    return ",".join(
        f"{{{v.get('type', '')}:{v.get('identifier', '')}}}" for v in value if isinstance(v, dict)
    )


def csv_row(record: dict, columns: list[str]) -> list[str]:
    """One record as a CSV row: references become sourcedIds (`parent` -> parentSourcedId,
    `orgs` -> orgSourcedIds), lists are joined with commas, everything else is its text."""
    row = []
    for column in columns:
        if column in record and column != "userIds":
            row.append(_text(record[column]))
        elif column == "userIds":
            row.append(_user_ids(record))
        elif column.endswith("SourcedIds"):
            row.append(_refs(record, column.removesuffix("SourcedIds") + "s"))
        elif column.endswith("SourcedId"):
            row.append(_ref(record, column.removesuffix("SourcedId")))
        else:
            row.append("")
    return row


def _csv(columns: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def _role_rows(user: dict):
    """A 1.2 user's roles (inside the user record) as roles.csv rows."""
    roles = user.get("roles") or []
    if not isinstance(roles, list):
        return
    for n, role in enumerate(roles):
        if not isinstance(role, dict):
            continue
        record = {
            "sourcedId": role.get("sourcedId") or f"{user.get('sourcedId', '')}-role-{n + 1}",
            "status": role.get("status") or user.get("status", ""),
            "dateLastModified": role.get("dateLastModified") or user.get("dateLastModified", ""),
            "userSourcedId": user.get("sourcedId", ""),
            **{k: v for k, v in role.items() if k not in ("sourcedId", "status")},
        }
        yield csv_row(record, ROLES)


def _is_student(record: dict) -> bool:
    """A user record of a student (OneRoster 1.1's role, or one of 1.2's roles)."""
    roles = record.get("roles")
    return str(record.get("role", "")).lower() == "student" or (
        isinstance(roles, list)
        and any(isinstance(r, dict) and str(r.get("role", "")).lower() == "student" for r in roles)
    )


def fetch(client: Client, *, since: datetime | None = None) -> Fetched:
    """Read every collection the import needs and write it as a OneRoster CSV export.

    `since`: a delta of what changed after that instant (the manifest says delta, so that
    nobody missing from it is deactivated); None: everything (bulk).
    """
    version = client.connection.version
    mode = "delta" if since is not None else "bulk"
    client.sign_in()
    fetched = Fetched()
    records = list(client.records("users", since))
    users_since = since
    if since is not None and any(_is_student(record) for record in records):
        # A family's grades are worked out from all their students' rows, and a student whose
        # grade changed comes without their family's rows: read every user (and every org
        # they name), so that families move with their children. The manifest still says
        # delta: nobody missing is deactivated.
        records, users_since = list(client.records("users")), None
    orgs = [csv_row(r, ORGS) for r in client.records("orgs", users_since)]
    sessions = [csv_row(r, SESSIONS) for r in client.records("academicSessions", since)]
    users, roles = [], []
    for record in records:
        users.append(csv_row(record, USERS_11 if version == "1.1" else USERS_12))
        if version == "1.2":
            roles.extend(_role_rows(record))
    manifest = [
        ("manifest.version", "1.0"),
        ("oneroster.version", version),
        ("file.academicSessions", mode),
        ("file.orgs", mode),
        ("file.users", mode),
        ("file.roles", mode if version == "1.2" else "absent"),
        ("file.enrollments", "absent"),
        ("source.systemName", client.connection.host),
    ]
    fetched.files["manifest.csv"] = _csv(["propertyName", "value"], manifest)
    fetched.files["orgs.csv"] = _csv(ORGS, orgs)
    fetched.files["academicSessions.csv"] = _csv(SESSIONS, sessions)
    fetched.files["users.csv"] = _csv(USERS_11 if version == "1.1" else USERS_12, users)
    if version == "1.2":
        fetched.files["roles.csv"] = _csv(ROLES, roles)
    fetched.counts = {
        "orgs": len(orgs),
        "academicSessions": len(sessions),
        "users": len(users),
        "roles": len(roles),
    }
    return fetched
