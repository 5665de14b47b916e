"""A check-in is the hot path of a desk or a kiosk: its queries are counted here, so that
they cannot silently grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passes import services

pytestmark = pytest.mark.django_db


def checkin_queries(client, code, *, status=201) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/checkins/", {"pass_code": code, "space": "accueil"},
                               format="json")
    assert response.status_code == status, response.json()
    # The test runs inside a transaction, which turns the service's own into a savepoint.
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


# token (with its user), space, roles, the pass (locked, with its plan, network and holder),
# one query for whether the plan covers the space, whether the space is open (hours and
# closures), the open check-in, the day's visit and the period's visit-days; the space
# (locked), desks taken, then the visit, the check-in and the attempt log.
DESK_CHECKIN = 10


def test_desk_checkin_takes_ten_queries(world, desk):
    queries = checkin_queries(desk, world.pass_obj.code)
    assert len(queries) == DESK_CHECKIN, "\n".join(queries)
    assert sum(q.startswith("INSERT") for q in queries) == 3


def test_kiosk_checkin_reads_its_kiosk_and_its_slow_down_in_one_query(world, api):
    _kiosk, token = services.kiosk_create(space=world.host, name="Entrée")
    api.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    queries = checkin_queries(api, world.pass_obj.code)
    # The kiosk replaces the token and the roles.
    assert len(queries) == DESK_CHECKIN - 1, "\n".join(queries)


def test_scanning_again_costs_no_more_than_the_first_scan(world, desk):
    checkin_queries(desk, world.pass_obj.code)
    queries = checkin_queries(desk, world.pass_obj.code, status=200)
    # The open check-in comes back (one query) instead of the space lock, count and inserts,
    # and the attempt is logged.
    assert len(queries) == 7, "\n".join(queries)


def test_coming_back_the_same_day_does_not_insert_a_second_visit(world, desk):
    first = checkin_queries(desk, world.pass_obj.code)
    checkin_id = desk.post("/api/v1/checkins/", {"pass_code": world.pass_obj.code, "space": "accueil"},
                           format="json").json()["id"]
    desk.post(f"/api/v1/checkins/{checkin_id}/checkout/")
    queries = checkin_queries(desk, world.pass_obj.code)
    assert len(queries) == len(first) - 1, "\n".join(queries)
    assert sum(q.startswith("INSERT") for q in queries) == 2
