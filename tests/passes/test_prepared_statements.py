"""The statements prepared once per connection (backend/prepared.py): desk and kiosk scans
answer alike on a connection's first call and the later ones, after a rollback, on a new
connection, and once the check-in function is created again by a migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

import passes
from backend import prepared
from passes import services
from tests.passes.factories import PassFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

CHECKIN_SQL = Path(passes.__file__).resolve().parent / "checkin.sql"
NAMES = {"essaim_person_by_token", "essaim_passes_checkin"}


@pytest.fixture(autouse=True)
def fresh_session(settings):
    """A connection with nothing prepared yet, as a new one would be."""
    require_postgres()
    settings.CHECKIN_RULES_IN_DATABASE = True
    connection.ensure_connection()
    connection.connection.__dict__.pop(prepared.PREPARED, None)
    connection.connection.__dict__.pop(prepared.FAILED, None)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")


def prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def scan(client, world):
    pass_obj = PassFactory(plan=world.plan, issuing_space=world.home)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/checkins/", {"pass_code": pass_obj.code, "space": "accueil"},
                             format="json")
    assert response.status_code == 201, response.content
    assert response.json()["pass_short_code"] == pass_obj.short_code
    return len(queries)


def test_the_first_scan_prepares_in_the_same_queries_as_the_next(world, desk):
    assert prepared_here() == set()
    first = scan(desk, world)
    assert prepared_here() == NAMES
    assert scan(desk, world) == first


def test_what_is_prepared_outlives_a_rollback(world, desk):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        scan(desk, world)
        1 / 0  # noqa: B018 - the rollback under test
    assert prepared_here() == NAMES
    scan(desk, world)


def test_the_function_created_again_is_called_as_it_now_is(world, desk):
    scan(desk, world)
    with connection.cursor() as cursor:
        cursor.execute(CHECKIN_SQL.read_text())
    scan(desk, world)


def test_a_kiosk_scan_prepares_its_token_query_and_keeps_its_slow_down(world, api):
    _kiosk, token = services.kiosk_create(space=world.host, name="Entrée")
    api.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    first = scan(api, world)
    assert prepared_here() == {"essaim_kiosk_by_token", "essaim_passes_checkin"}
    assert scan(api, world) == first
    unknown = {"pass_code": "ZZZZ2345", "space": "accueil"}
    for _ in range(services.selectors.KIOSK_UNKNOWN_LIMIT):
        assert api.post("/api/v1/checkins/", unknown, format="json").json()["code"] == "unknown_pass"
    refused = api.post("/api/v1/checkins/", unknown, format="json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(world, desk):
    scan(desk, world)
    connection.close()
    scan(desk, world)
    assert prepared_here() == NAMES


def test_a_first_call_that_fails_after_preparing_does_not_block_the_next():
    """``PREPARE`` outlives the failed ``EXECUTE`` sent with it (and the rollback after it):
    the next call must not prepare the same name again."""
    with pytest.raises(DataError), transaction.atomic(), connection.cursor() as cursor:
        prepared.execute(cursor, "essaim_test_divide", "SELECT 10 / %s", [0])
    with connection.cursor() as cursor:
        prepared.execute(cursor, "essaim_test_divide", "SELECT 10 / %s", [2])
        assert cursor.fetchone() == (5,)
        prepared.execute(cursor, "essaim_test_divide", "SELECT 10 / %s", [5])
        assert cursor.fetchone() == (2,)
