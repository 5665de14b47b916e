"""The migrations replay on an empty database of either engine, and the pass app's go back to
zero and up again, leaving no database function or trigger behind: the check-in rules and
live occupancy live in Python only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from django.conf import settings

from tests.services import require_postgres

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args, "-v0"], cwd=ROOT, env=env, check=True,
                   timeout=300)


def test_an_empty_sqlite_database_migrates_without_triggers(tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    manage("migrate", env=env)
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as fresh:
        assert fresh.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall() == []
        tables = {name for (name,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "passes_checkin" in tables and "passes_occupancy" not in tables


def test_postgresql_migrates_from_empty_and_round_trips_the_pass_app():
    require_postgres()
    server = settings.DATABASES["default"]
    name = f"essaim_migrations_{uuid.uuid4().hex[:8]}"
    admin = {"host": server["HOST"], "port": server["PORT"] or 5432, "user": server["USER"],
             "password": server["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{server['PASSWORD']}" if server["PASSWORD"] else ""
        url = f"postgres://{server['USER']}{password}@{server['HOST']}:{admin['port']}/{name}"
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url}
        manage("migrate", env=env)
        manage("migrate", "passes", "zero", env=env)
        manage("migrate", env=env)
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as fresh:
            functions = fresh.execute(
                "SELECT proname FROM pg_proc WHERE proname IN "
                "('passes_checkin', 'network_token_person', 'passes_occupancy_follow')").fetchall()
            triggers = fresh.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal").fetchall()
        assert functions == [] and triggers == []
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
