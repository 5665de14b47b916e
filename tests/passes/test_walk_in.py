"""Walk-in days sold at the desk, and the trial day a network offers once per address."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from passes import services
from passes.models import CheckIn, Pass, PlanKind, TrialDay, Visit
from tests.services import require_postgres, run_in_threads

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_plan(world):
    return services.plan_create(network=world.network, kind=PlanKind.DAY, name="Journée", slug="journee",
                                price=Decimal("15.00"), period="unlimited", allowance=None, validity_days=30)


@pytest.fixture
def trial_plan(world):
    return services.plan_create(network=world.network, kind=PlanKind.TRIAL, name="Essai", slug="essai",
                                price=Decimal("0"), period="month", allowance=3, validity_days=30)


def walk_in(client, plan, space="accueil", **guest):
    return client.post("/api/v1/checkins/walk-in/", {"plan": plan.id, "space": space, **guest}, format="json")


def test_a_day_plan_is_one_visit_day_valid_one_day_whatever_was_asked(day_plan, trial_plan):
    for plan in (day_plan, trial_plan):
        assert (plan.period, plan.allowance, plan.validity_days, plan.per_space_cap) == ("month", 1, 1, None)


def test_a_trial_day_is_free(world):
    with pytest.raises(services.InvalidPlan) as refused:
        services.plan_create(network=world.network, kind=PlanKind.TRIAL, name="Essai", slug="essai",
                             price=Decimal("5"), period="month", allowance=1, validity_days=1)
    assert refused.value.field == "price"


def test_the_desk_sells_a_walk_in_day_and_checks_the_guest_in(world, desk, day_plan):
    response = walk_in(desk, day_plan, name="Camille Martin", email="Camille@Example.org")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["day_pass"]["guest_name"] == "Camille Martin"
    assert body["day_pass"]["guest_email"] == "camille@example.org"
    assert body["day_pass"]["valid_from"] == body["day_pass"]["valid_until"]
    assert body["checkin"]["channel"] == "desk" and body["checkin"]["space"] == "accueil"
    assert body["checkin"]["remaining_allowance"] == 0
    assert desk.get("/api/v1/spaces/accueil/").json()["occupancy"] == 1


def test_a_walk_in_needs_neither_name_nor_email(world, desk, day_plan):
    assert walk_in(desk, day_plan).status_code == 201


def test_a_walk_in_day_works_only_where_it_was_sold(world, desk, day_plan, login):
    day_pass = Pass.objects.get(pk=walk_in(desk, day_plan).json()["day_pass"]["id"])
    CheckIn.objects.update(checked_out_at=CheckIn.objects.get().checked_in_at)
    elsewhere = login(world.home_staff).post(
        "/api/v1/checkins/", {"pass_code": day_pass.code, "space": "maison"}, format="json")
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "space_not_in_plan"


def test_a_trial_day_works_anywhere_in_the_network_once_per_address(world, desk, trial_plan, login):
    first = walk_in(desk, trial_plan, email="alex@example.org")
    assert first.status_code == 201
    again = login(world.home_staff).post("/api/v1/checkins/walk-in/", {
        "plan": trial_plan.id, "space": "maison", "email": "ALEX@example.org"}, format="json")
    assert again.status_code == 409
    assert (again.json()["code"], list(again.json()["fields"])) == ("trial_not_available", ["email"])
    assert TrialDay.objects.count() == 1


def test_a_trial_day_needs_an_address_and_is_not_for_pass_holders(world, desk, trial_plan):
    missing = walk_in(desk, trial_plan)
    assert missing.status_code == 400 and "email" in missing.json()["fields"]
    holder = walk_in(desk, trial_plan, email=world.member.email)
    assert holder.status_code == 409 and holder.json()["code"] == "trial_not_available"
    assert not Pass.objects.filter(plan=trial_plan).exists()


def test_a_subscription_plan_is_not_a_walk_in(world, desk):
    response = walk_in(desk, world.plan)
    assert response.status_code == 400 and "plan" in response.json()["fields"]


def test_only_the_space_team_gives_walk_in_days(world, day_plan, login):
    for person in (world.member, world.home_staff):
        assert walk_in(login(person), day_plan).status_code == 403
    assert not Pass.objects.filter(plan=day_plan).exists()


def test_a_full_space_sells_nothing(world, desk, day_plan):
    world.host.desk_capacity = 0
    world.host.save()
    response = walk_in(desk, day_plan, name="Camille")
    assert response.status_code == 409 and response.json()["code"] == "space_full"
    assert not Pass.objects.filter(plan=day_plan).exists() and not Visit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_desks_giving_a_trial_day_to_one_address_at_once_give_one(world, trial_plan):
    require_postgres()
    staff = (world.host_staff, world.home_staff)

    def give(i):
        space = (world.host, world.home)[i % 2]
        return services.walk_in(plan=trial_plan, space=space, person=staff[i % 2], email="sam@example.org")

    results = run_in_threads(6, give)
    outcomes = Counter(type(r).__name__ for r in results)
    assert outcomes == {"tuple": 1, "TrialNotAvailable": 5}, outcomes
    assert TrialDay.objects.count() == Pass.objects.filter(plan=trial_plan).count() == 1
