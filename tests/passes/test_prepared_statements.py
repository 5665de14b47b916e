"""The statements prepared once per connection (backend/prepared.py): desk and kiosk scans
answer alike on a connection's first call and the later ones, after a rollback, on a new
connection, and once the check-in function is created again by a migration; the token and
kiosk reads check a kept connection in place of Django's health check, so a connection that
PostgreSQL ended between two requests costs the next request nothing."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from django.db import DataError, close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext

import passes
from backend import prepared
from passes import services
from passes.models import CheckIn
from tests.passes.factories import PassFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

CHECKIN_SQL = Path(passes.__file__).resolve().parent / "checkin.sql"
NAMES = {"essaim_passes_checkin_by_token"}  # a desk's scan: the token's read is in the call


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


@pytest.fixture
def kept_connection(monkeypatch):
    """A connection kept from one request to the next, as the web processes keep it."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    connection.close()
    connection.ensure_connection()


def next_request() -> None:
    """What the web server does between two requests (Django's test client does not)."""
    close_old_connections()


def end_connection() -> None:
    """PostgreSQL ends the connection's session, as a restart would."""
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def health_checks(monkeypatch) -> list:
    """Each ``SELECT 1`` that Django sends to check a kept connection."""
    checks = []
    is_usable = connection.is_usable

    def counted():
        checks.append(1)
        return is_usable()

    monkeypatch.setattr(connection, "is_usable", counted)
    return checks


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kept_connection")
def test_a_desk_scan_on_a_connection_ended_since_the_last_request_is_recorded(world, desk):
    scan(desk, world)
    next_request()
    end_connection()
    scan(desk, world)
    assert CheckIn.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kept_connection")
def test_a_kiosk_scan_on_a_connection_ended_since_the_last_request_is_recorded(world, api):
    _kiosk, token = services.kiosk_create(space=world.host, name="Entrée")
    api.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    scan(api, world)
    next_request()
    end_connection()
    scan(api, world)
    assert CheckIn.objects.filter(channel="kiosk").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kept_connection")
def test_the_token_read_checks_the_kept_connection_in_place_of_a_select_1(world, desk, api,
                                                                          health_checks):
    codes = [PassFactory(plan=world.plan, issuing_space=world.home).code for _ in range(2)]
    for code in codes:
        next_request()
        response = desk.post("/api/v1/checkins/", {"pass_code": code, "space": "accueil"}, format="json")
        assert response.status_code == 201
    assert health_checks == []
    next_request()
    assert api.get("/api/v1/spaces/").status_code == 200
    assert health_checks == [1], "anonymous requests keep Django's health check"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("kept_connection")
def test_a_read_that_fails_on_a_working_connection_is_not_sent_again(health_checks):
    next_request()
    with pytest.raises(DataError):
        prepared.row("essaim_test_divide", "SELECT 10 / %s", [0])
    assert health_checks == [1]
    assert prepared.row("essaim_test_divide", "SELECT 10 / %s", [2]) == (5,)
