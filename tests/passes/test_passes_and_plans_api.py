"""Plans, passes and their QR codes through the API; bad input counts nothing."""

from __future__ import annotations

import pytest

from network.models import Role
from passes.models import CheckIn, CheckinAttempt, Pass, PassStatus, Plan, Visit
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassFactory, SpaceFactory

pytestmark = pytest.mark.django_db


def plan_body(world, **fields):
    return {"network": world.network.slug, "name": "Découverte", "slug": "decouverte", "price": "60.00",
            "period": "month", "allowance": 4, "validity_days": 90, **fields}


def test_coordinator_creates_a_plan_limited_to_some_spaces(world, login):
    response = login(world.coordinator).post(
        "/api/v1/plans/", plan_body(world, eligible_spaces=["accueil"], per_space_cap=2), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["visit_value"] == "15.00"
    assert response.json()["eligible_spaces"] == ["accueil"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"allowance": 0}, "allowance"),
    ({"allowance": -3}, "allowance"),
    ({"allowance": None}, "allowance"),
    ({"period": "unlimited", "allowance": 5}, "allowance"),
    ({"per_space_cap": 0}, "per_space_cap"),
    ({"validity_days": 0}, "validity_days"),
    ({"price": "-1"}, "price"),
    ({"eligible_spaces": ["inconnu"]}, "eligible_spaces"),
    ({"colour": "vert"}, "colour"),
])
def test_bad_plan_is_refused_naming_the_field(world, login, fields, field):
    response = login(world.coordinator).post("/api/v1/plans/", plan_body(world, **fields), format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Plan.objects.filter(slug="decouverte").exists()


def test_space_outside_the_network_cannot_be_eligible(world, login):
    SpaceFactory(slug="dehors")
    response = login(world.coordinator).post(
        "/api/v1/plans/", plan_body(world, eligible_spaces=["dehors"]), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_plan"


def test_only_coordinators_create_plans(world, login):
    response = login(world.host_staff).post("/api/v1/plans/", plan_body(world), format="json")
    assert response.status_code == 403


def test_a_coordinator_changes_the_price_of_a_plan_in_use_but_not_its_allowance(world, login):
    client = login(world.coordinator)
    url = f"/api/v1/plans/{world.plan.pk}/"
    response = client.patch(url, {"price": "80.00", "name": "Pass découverte"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["price"], response.json()["allowance"]) == ("80.00", 5)
    for body, field in (({"allowance": 0}, "allowance"), ({"allowance": 9}, "allowance"),
                        ({"eligible_spaces": ["maison"]}, "eligible_spaces")):
        response = client.patch(url, body, format="json")
        assert response.status_code == 400
        assert field in response.json()["fields"]
    assert response.json()["code"] == "plan_in_use"
    world.plan.refresh_from_db()
    assert world.plan.allowance == 5 and not world.plan.eligible_spaces.exists()
    assert login(world.host_staff).patch(url, {"price": "1.00"}, format="json").status_code == 403
    assert client.put(url, {"price": "1.00"}, format="json").status_code == 405


def test_networks_and_plans_are_public(world, api):
    networks = api.get("/api/v1/networks/").json()["results"]
    assert set(networks[0]["spaces"]) == {"maison", "accueil"}
    assert api.get(f"/api/v1/plans/?network={world.network.slug}").json()["count"] == 1


def test_issuing_space_sells_a_pass(world, login):
    buyer = PersonFactory(email="acheteuse@example.org")
    response = login(world.home_staff).post(
        "/api/v1/passes/", {"plan": world.plan.id, "holder_email": "acheteuse@example.org",
                            "issuing_space": "maison"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    pass_obj = Pass.objects.get(holder=buyer)
    assert body["remaining_allowance"] == 5 and body["status"] == "active"
    assert len(pass_obj.code) == 32 and len(pass_obj.short_code) == 8
    assert (pass_obj.valid_until - pass_obj.valid_from).days == world.plan.validity_days - 1


def test_staff_of_another_space_cannot_sell_for_it(world, login):
    PersonFactory(email="acheteuse@example.org")
    response = login(world.host_staff).post(
        "/api/v1/passes/", {"plan": world.plan.id, "holder_email": "acheteuse@example.org",
                            "issuing_space": "maison"}, format="json")
    assert response.status_code == 403


def test_holder_and_issuing_space_see_the_pass_others_do_not(world, login):
    path = f"/api/v1/passes/{world.pass_obj.id}/"
    assert login(world.member).get(path).json()["code"] == world.pass_obj.code
    assert login(world.home_staff).get(path).status_code == 200
    assert login(world.host_staff).get(path).status_code == 404
    assert login(PersonFactory()).get("/api/v1/passes/").json()["count"] == 0


def test_pass_list_shows_remaining_allowance_in_few_queries(world, login, django_assert_max_num_queries):
    for _ in range(6):
        PassFactory(plan=world.plan, issuing_space=world.home)
    client = login(world.home_staff)
    with django_assert_max_num_queries(7):
        body = client.get("/api/v1/passes/").json()
    assert body["count"] == 7
    assert {p["remaining_allowance"] for p in body["results"]} == {5}


def test_qr_code_is_an_svg_of_the_pass_code(world, login):
    response = login(world.member).get(f"/api/v1/passes/{world.pass_obj.id}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert login(PersonFactory()).get(f"/api/v1/passes/{world.pass_obj.id}/qr.svg").status_code == 404


def test_issuing_space_suspends_and_revokes_and_revoked_stays_revoked(world, login):
    client = login(world.home_staff)
    path = f"/api/v1/passes/{world.pass_obj.id}/status/"
    assert client.post(path, {"status": "suspended"}, format="json").json()["status"] == "suspended"
    assert client.post(path, {"status": "revoked"}, format="json").status_code == 200
    response = client.post(path, {"status": "active"}, format="json")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    world.pass_obj.refresh_from_db()
    assert world.pass_obj.status == PassStatus.REVOKED
    assert login(world.member).post(path, {"status": "active"}, format="json").status_code == 403


# --- Bad check-in input -------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"pass_code": "x", "space": "accueil"}, "pass_code"),
    ({"pass_code": "ceci n'est pas un code!", "space": "accueil"}, "pass_code"),
    ({"pass_code": "0OIL0OIL", "space": "accueil"}, "pass_code"),
    ({"pass_code": "A" * 65, "space": "accueil"}, "pass_code"),
    ({"pass_code": "ABCD2345", "space": "nulle-part"}, "space"),
    ({"space": "accueil"}, "pass_code"),
    ({"pass_code": "ABCD2345", "space": "accueil", "extra": 1}, "extra"),
])
def test_bad_checkin_input_names_the_field_and_counts_nothing(world, desk, body, field):
    response = desk.post("/api/v1/checkins/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Visit.objects.exists() and not CheckIn.objects.exists()
    assert not CheckinAttempt.objects.exists()


def test_space_manager_role_elsewhere_gives_no_rights_here(world, login):
    elsewhere = member_of(SpaceFactory().operator, Role.SPACE_MANAGER)
    response = login(elsewhere).post("/api/v1/checkins/", {"pass_code": world.pass_obj.code,
                                                          "space": "accueil"}, format="json")
    assert response.status_code == 403


def test_checkout_of_a_non_numeric_id_is_a_404(world, desk):
    response = desk.post("/api/v1/checkins/abc/checkout/")
    assert response.status_code == 404


@pytest.mark.parametrize(("fields", "field"), [
    ({"holder_email": "pas-une-adresse"}, "holder_email"),
    ({"issuing_space": "dehors"}, "issuing_space"),
    ({"plan": 999999}, "plan"),
    ({"valid_from": "demain"}, "valid_from"),
])
def test_bad_pass_sale_names_the_field_and_creates_nothing(world, login, fields, field):
    # Run by the same team as "maison", but outside the network.
    SpaceFactory(slug="dehors", operator=world.home.operator)
    PersonFactory(email="acheteuse@example.org")
    body = {"plan": world.plan.id, "holder_email": "acheteuse@example.org", "issuing_space": "maison",
            **fields}
    response = login(world.home_staff).post("/api/v1/passes/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Pass.objects.count() == 1
