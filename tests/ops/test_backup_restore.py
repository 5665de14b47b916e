"""The backup procedure of docs/operations.md restores a working copy (PostgreSQL)."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from events import services
from tests.events.factories import EventFactory
from tests.factories import PersonFactory
from tests.services import require_postgres


def _dsn(name: str) -> str:
    settings = connection.settings_dict
    return (f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} "
            f"user={settings['USER'] or 'postgres'} dbname={name}"
            + (f" password={settings['PASSWORD']}" if settings["PASSWORD"] else ""))


@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_give_back_events_and_registrations(tmp_path):
    require_postgres()
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not installed")
    event = EventFactory(capacity=1)
    services.registration_create(event=event, person=PersonFactory())
    services.registration_create(event=event, name="Sam", email="sam@example.org")

    source = connection.settings_dict["NAME"]
    dump = tmp_path / "essaim.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), _dsn(source)], check=True, timeout=120)
    restored = f"essaim_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", _dsn(restored), str(dump)], check=True,
                       timeout=120)
        with psycopg.connect(_dsn(restored)) as copy:
            statuses = copy.execute(
                "SELECT status, position FROM events_registration WHERE event_id = %s ORDER BY id",
                [event.pk],
            ).fetchall()
            constraints = copy.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'x'").fetchone()[0]
        assert statuses == [("confirmed", None), ("waitlisted", 1)]
        assert constraints >= 1, "the room exclusion constraint comes back with the data"
    finally:
        with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
