"""Pass, plan, settlement and closure inputs an outside audit sent: each answers a 400 naming
the field, never a 500, and writes nothing."""

from __future__ import annotations

import pytest

from passes.models import Pass, Plan
from tests.passes.test_passes_and_plans_api import plan_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/settlements/?network={network}&month=0000-01"])
def test_a_settlement_month_of_year_zero_is_a_400(world, login, path):
    client = login(world.coordinator)
    response = client.get(path.format(network=world.network.slug))
    assert response.status_code == 400
    assert "month" in response.json()["fields"]
    response = client.post("/api/v1/settlements/close/",
                           {"network": world.network.slug, "month": "0000-01"}, format="json")
    assert response.status_code == 400
    assert "month" in response.json()["fields"]


def test_a_pass_valid_from_year_9999_is_a_400(world, login):
    response = login(world.home_staff).post("/api/v1/passes/", {
        "plan": world.plan.id, "holder_email": world.member.email,
        "issuing_space": world.home.slug, "valid_from": "9999-12-31"}, format="json")
    assert response.status_code == 400
    assert "valid_from" in response.json()["fields"]
    assert Pass.objects.count() == 1


@pytest.mark.parametrize(("fields", "field"), [
    ({"validity_days": 1_000_000_000}, "validity_days"),
    ({"allowance": 2**40}, "allowance"),
    ({"per_space_cap": 2**40}, "per_space_cap"),
    ({"name": "Découverte\r\nBcc: x"}, "name"),
])
def test_plans_refuse_numbers_past_their_bounds(world, login, fields, field):
    response = login(world.coordinator).post("/api/v1/plans/", plan_body(world, **fields),
                                                  format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert Plan.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"starts_on": "9999-12-31", "ends_on": "9999-12-31"}, "starts_on"),
    ({"starts_on": "2027-01-02", "ends_on": "2027-01-03", "reason": "Travaux\nX"}, "reason"),
])
def test_closures_refuse_dates_and_reasons_out_of_bounds(world, login, body, field):
    response = login(world.home_staff).post(f"/api/v1/spaces/{world.home.slug}/closures/",
                                                 body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]


def test_a_closure_answers_201_as_the_schema_says(world, login, api):
    response = login(world.home_staff).post(f"/api/v1/spaces/{world.home.slug}/closures/",
                                                 {"starts_on": "2027-01-02", "ends_on": "2027-01-03"},
                                                 format="json")
    assert response.status_code == 201
    schema = api.get("/api/schema/?format=json").json()
    assert "201" in schema["paths"]["/api/v1/spaces/{slug}/closures/"]["post"]["responses"]
