"""The occupancy counter's triggers, and going back past the migration that made them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from network.models import Role
from passes.models import Occupancy
from tests.factories import member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory
from tests.services import require_postgres

TRIGGERS = {"passes_occupancy_insert", "passes_occupancy_delete", "passes_occupancy_update"}


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'passes_checkin'::regclass")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = 'passes_checkin'")
        return {name for (name,) in cursor.fetchall()} & TRIGGERS


@pytest.mark.django_db
def test_every_migration_leaves_the_triggers_in_place():
    # On SQLite, a migration that rebuilds the check-in table (most field changes do) drops
    # its triggers: such a migration must create them again, and this test says so.
    assert triggers() == TRIGGERS


@pytest.mark.django_db(transaction=True)
def test_going_back_past_the_counter_keeps_checkins_working():
    require_postgres()
    space = SpaceFactory(desk_capacity=1)
    pass_obj = PassFactory(plan=PlanFactory(network=PassNetworkFactory(spaces=[space])),
                           issuing_space=space)
    staff = member_of(space.operator, Role.SPACE_MANAGER)
    call_command("migrate", "passes", "0004", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT o_outcome FROM passes_checkin(%s, '', %s, %s, NULL, NULL, %s)",
                           [pass_obj.code, space.slug, staff.id,
                            datetime.now(ZoneInfo("Europe/Paris"))])
            assert cursor.fetchone() == ("checked_in",)
        assert triggers() == set()
    finally:
        call_command("migrate", verbosity=0)
    assert triggers() == TRIGGERS
    assert Occupancy.objects.get(space=space).present == 1  # counted again on the way up


def test_a_fresh_sqlite_database_has_the_triggers(tmp_path):
    """The zero-setup engine, whatever engine the suite runs on: SQLite rebuilds a table to
    alter it, and a rebuild made after 0005 (0006 did) drops the triggers unless a later
    migration makes them again."""
    database = tmp_path / "fresh.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1",
                   "ESSAIM_VAR_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
                   cwd=settings.BASE_DIR, env=environment, check=True)
    with sqlite3.connect(database) as fresh:
        names = {name for (name,) in fresh.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'passes_checkin'")}
    assert names >= TRIGGERS
