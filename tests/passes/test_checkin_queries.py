"""A check-in is the hot path of a desk or a kiosk: its queries are counted here, so that
they cannot silently grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passes import services

pytestmark = pytest.mark.django_db

# At the desk: the token and its person; the space with its hours and closures; the desk's
# roles; the pass (locked, with its plan, network, holder and issuing space); whether the plan
# covers the space; the pass's visit-days (the day's at this space, the period's, the period's
# here: one query); the open check-in; then the visit, the space (locked), the desks taken and
# the check-in. Scanned again: the open check-in is the answer. Back the same day: no second
# visit. A kiosk reads itself and its slow-down instead of the token and the roles.
QUERIES = {"first": 13, "kiosk": 13, "again": 9, "back": 12}


def checkin_queries(client, code, *, status=201) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/checkins/", {"pass_code": code, "space": "accueil"},
                               format="json")
    assert response.status_code == status, response.json()
    # The test runs inside a transaction, which turns the service's own into a savepoint.
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.fixture
def expected() -> dict[str, int]:
    return QUERIES


def test_desk_checkin(world, desk, expected):
    queries = checkin_queries(desk, world.pass_obj.code)
    assert len(queries) == expected["first"], "\n".join(queries)


def test_kiosk_checkin(world, api, expected):
    _kiosk, token = services.kiosk_create(space=world.host, name="Entrée")
    api.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    queries = checkin_queries(api, world.pass_obj.code)
    assert len(queries) == expected["kiosk"], "\n".join(queries)


def test_scanning_again_costs_no_more_than_the_first_scan(world, desk, expected):
    checkin_queries(desk, world.pass_obj.code)
    queries = checkin_queries(desk, world.pass_obj.code, status=200)
    assert len(queries) == expected["again"], "\n".join(queries)


def test_coming_back_the_same_day_does_not_insert_a_second_visit(world, desk, expected):
    checkin_id = desk.post("/api/v1/checkins/", {"pass_code": world.pass_obj.code, "space": "accueil"},
                           format="json").json()["id"]
    desk.post(f"/api/v1/checkins/{checkin_id}/checkout/")
    queries = checkin_queries(desk, world.pass_obj.code)
    assert len(queries) == expected["back"], "\n".join(queries)
