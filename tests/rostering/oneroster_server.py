"""A small OneRoster REST server for the sync tests: a folder of OneRoster CSV files served as
the REST binding's JSON, on a port of this machine, in a thread.

It does what a SIS does that the sync must cope with: OAuth 2 client credentials at /token
(401 for a wrong secret or token), paging with limit and offset and X-Total-Count, the
`dateLastModified>'…'` filter; and, when a test asks, a 500 on one page, garbage instead of
JSON, or a page that answers too late.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import json
import re
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PREFIXES = {"1.1": "/ims/oneroster/v1p1/", "1.2": "/ims/oneroster/rostering/v1p2/"}


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _as_json(row: dict[str, str]) -> dict:
    """A CSV row as the REST binding writes the record: references as objects, lists as lists."""
    record: dict = {}
    for column, value in row.items():
        if column is None:
            continue
        value = value or ""
        if column.endswith("SourcedIds"):
            key = column.removesuffix("SourcedIds") + "s"
            record[key] = [
                {"sourcedId": v.strip(), "type": key[:-1]} for v in value.split(",") if v.strip()
            ]
        elif column.endswith("SourcedId"):
            key = column.removesuffix("SourcedId")
            if value:
                record[key] = {"sourcedId": value, "type": key}
        elif column == "userIds":
            record["userIds"] = [
                {"type": t, "identifier": i} for t, i in re.findall(r"\{([^:}]*):([^}]*)\}", value)
            ]
        elif column == "grades":
            record["grades"] = [g for g in value.split(",") if g]
        else:
            record[column] = value
    return record


class OneRosterServer:
    def __init__(self, folder: Path, *, version: str = "1.1", client_id="accord", secret="s3cret"):  # noqa: S107
        self.version, self.client_id, self.secret = version, client_id, secret
        self.token = secrets.token_urlsafe(16)
        self.collections = {
            "orgs": [_as_json(r) for r in _read(folder, "orgs")],
            "academicSessions": [_as_json(r) for r in _read(folder, "academicSessions")],
            "users": [_as_json(r) for r in _read(folder, "users")],
        }
        if version == "1.2":
            roles: dict[str, list] = {}
            for row in _read(folder, "roles"):
                role = _as_json(row)
                user = role.pop("user", {}).get("sourcedId", "")
                roles.setdefault(user, []).append(role)
            for user in self.collections["users"]:
                user["roles"] = roles.get(user["sourcedId"], [])
        self.fail: tuple[str, int] | None = None  # (collection, page number from 1): a 500
        self.garbage: str | None = None  # a collection answered with HTML
        self.slow: tuple[str, float] | None = None  # a collection answered after a wait
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> OneRosterServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body, headers=None, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_POST(self):
                server.requests.append(f"POST {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                expected = base64.b64encode(f"{server.client_id}:{server.secret}".encode()).decode()
                if self.path != "/token" or form.get("grant_type") != ["client_credentials"]:
                    return self._send(400, {"error": "unsupported_grant_type"})
                if self.headers.get("Authorization") != f"Basic {expected}":
                    return self._send(401, {"error": "invalid_client"})
                self._send(200, {"access_token": server.token, "token_type": "bearer"})

            def do_GET(self):
                server.requests.append(f"GET {self.path}")
                parts = urllib.parse.urlsplit(self.path)
                prefix = PREFIXES[server.version]
                name = parts.path.removeprefix(prefix)
                if not parts.path.startswith(prefix) or name not in server.collections:
                    return self._send(404, {"error": "not found"})
                if self.headers.get("Authorization") != f"Bearer {server.token}":
                    return self._send(401, {"error": "invalid_token"})
                query = urllib.parse.parse_qs(parts.query)
                limit = int(query.get("limit", ["100"])[0])
                offset = int(query.get("offset", ["0"])[0])
                records = server.collections[name]
                for expression in query.get("filter", []):
                    match = re.fullmatch(r"dateLastModified>'([^']+)'", expression)
                    if not match:
                        return self._send(400, {"error": "bad filter"})
                    records = [r for r in records if r.get("dateLastModified", "") > match[1]]
                page_number = offset // max(limit, 1) + 1
                if server.fail == (name, page_number):
                    return self._send(
                        500, b"<h1>Internal Server Error</h1>", content_type="text/html"
                    )
                if server.garbage == name:
                    return self._send(200, b"<html>Maintenance</html>", content_type="text/html")
                if server.slow and server.slow[0] == name:
                    time.sleep(server.slow[1])
                page = records[offset : offset + limit]
                self._send(200, {name: page}, {"X-Total-Count": str(len(records))})

        return Handler
