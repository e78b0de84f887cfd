"""Production settings: `check --deploy` is clean, and the headers that protect people are sent."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k3y-" + "x7Qz!pR2#vB9@mN4$wL6%tY8^cJ1&hF5*dG3(sK0)aE" * 2,
        ALLOWED_HOSTS="accord.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="accord.example.org")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.text  # no inline scripts for the policy to block


def test_behind_pgbouncer_server_side_cursors_are_off_and_a_misspelt_pooler_is_refused():
    show = (
        "shell",
        "-c",
        "from django.db import connection; "
        "print(connection.settings_dict.get('DISABLE_SERVER_SIDE_CURSORS', False))",
    )
    url = "postgres://postgres@127.0.0.1:5432/accord"
    pooled = run_manage(*show, DEBUG="1", DATABASE_URL=url, DATABASE_POOL="pgbouncer")
    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.strip().splitlines()[-1] == "True"
    direct = run_manage(*show, DEBUG="1", DATABASE_URL=url, DATABASE_POOL="")
    assert direct.stdout.strip().splitlines()[-1] == "False", direct.stderr
    wrong = run_manage(*show, DEBUG="1", DATABASE_URL=url, DATABASE_POOL="pgbouncr")
    assert wrong.returncode != 0
    assert "DATABASE_POOL is either empty or 'pgbouncer'" in wrong.stderr


def test_prepared_statements_only_on_a_direct_connection_to_postgresql():
    """Behind PgBouncer in transaction mode a statement prepared on one server connection
    would be run on another: parameters stay bound on the client there."""
    show = (
        "shell",
        "-c",
        "from django.db import connection; "
        "print(connection.settings_dict['OPTIONS'].get('server_side_binding', False))",
    )
    url = "postgres://postgres@127.0.0.1:5432/accord"

    def binding(**env):
        shown = run_manage(*show, DEBUG="1", DATABASE_URL=url, **env)
        assert shown.returncode == 0, shown.stderr
        return shown.stdout.strip().splitlines()[-1]

    assert binding(DATABASE_POOL="") == "True"
    assert binding(DATABASE_POOL="pgbouncer") == "False"
    assert binding(DATABASE_POOL="pgbouncer", DATABASE_PREPARED_STATEMENTS="1") == "False"
    assert binding(DATABASE_POOL="", DATABASE_PREPARED_STATEMENTS="0") == "False"


@pytest.mark.django_db
def test_a_statement_run_five_times_is_prepared_on_the_server():
    """What the setting is for: PostgreSQL plans a busy statement once per connection. Both
    halves are needed (Django turns psycopg's preparing off unless `prepare_threshold` is
    given; psycopg prepares nothing bound on the client), so the test reads what the server
    holds rather than the settings."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    if os.environ.get("DATABASE_POOL") or not connection.settings_dict["OPTIONS"].get(
        "server_side_binding"
    ):
        pytest.skip("this run binds parameters on the client (DATABASE_POOL or turned off)")

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [
                row[0]
                for row in cursor.fetchall()
                if '"leadership_user"."full_name" = $2' in row[0] and "$3" not in row[0]
            ]

    def read() -> None:
        # A shape no other test asks for, so nothing before this test prepared it.
        list(
            get_user_model()
            .objects.filter(email="nobody@example.org", full_name="Nobody")
            .values_list("date_joined", "id")
        )

    for _ in range(4):
        read()
    assert prepared() == []
    for _ in range(2):
        read()
    assert len(prepared()) == 1, prepared()


def test_debug_is_off_unless_the_environment_turns_it_on():
    """What serves people (config.wsgi) and the workers (config.celery) start with DEBUG off
    when the variable is missing; manage.py, the developer's tool, turns it on for itself."""
    key = "k3y-" + "x7Qz!pR2#vB9@mN4$wL6%tY8^cJ1&hF5*dG3(sK0)aE" * 2
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    show = "from django.conf import settings; print('DEBUG', settings.DEBUG)"
    for module in ("config.wsgi", "config.celery"):
        shown = subprocess.run(
            [sys.executable, "-c", f"import {module}; {show}"],
            cwd=ROOT,
            env={**environment, "SECRET_KEY": key},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shown.returncode == 0, shown.stderr
        assert "DEBUG False" in shown.stdout, module
    by_hand = run_manage("shell", "-c", show, DJANGO_SETTINGS_MODULE="config.settings")
    assert by_hand.returncode == 0, by_hand.stderr
    assert "DEBUG True" in by_hand.stdout
    asked_off = run_manage(
        "shell", "-c", show, DEBUG="0", SECRET_KEY=key, DJANGO_SETTINGS_MODULE="config.settings"
    )
    assert asked_off.returncode == 0, asked_off.stderr
    assert "DEBUG False" in asked_off.stdout


def test_the_production_image_runs_everything_with_debug_off():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "    DEBUG=0 \\\n" in dockerfile


def test_make_run_turns_debug_on_for_itself():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export DEBUG ?= 1" in makefile
