"""A network's coordinators create and edit plans from a page. Once a pass of a plan exists,
its period, allowance and per-space cap stay, and no space leaves it: past visits keep counting
as they did. Nobody else reaches these pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.models import Role
from passes import selectors, services
from passes.models import Period, Plan, PlanKind, Visit
from tests.factories import member_of
from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(db):
    spaces = [SpaceFactory(name="Mutualab"), SpaceFactory(name="La Fabrique"), SpaceFactory(name="Le Relais")]
    network = PassNetworkFactory(name="ch'tipass", spaces=spaces)
    network.coordinator_person = member_of(network.coordinator, Role.COORDINATOR)
    network.member_spaces = spaces
    return network


def plans_url(network) -> str:
    return reverse("web:plans", args=[network.slug])


def edit_url(plan) -> str:
    return reverse("web:plan-edit", args=[plan.network.slug, plan.pk])


NEW = {"name": "Pass solidaire", "slug": "", "kind": "subscription", "price": "40", "period": "month",
       "allowance": "4", "per_space_cap": "", "validity_days": "180"}


def edit_data(plan, **changes) -> dict:
    data = {"name": plan.name, "price": str(plan.price), "period": plan.period,
            "allowance": plan.allowance or "", "per_space_cap": plan.per_space_cap or "",
            "validity_days": plan.validity_days,
            "eligible_spaces": [s.pk for s in plan.eligible_spaces.all()], "is_active": "on"}
    return {**data, **changes}


def test_a_coordinator_creates_a_plan_for_some_spaces(client, network):
    client.force_login(network.coordinator_person)
    response = client.post(plans_url(network), {**NEW, "eligible_spaces": [network.member_spaces[0].pk]})
    assert response.status_code == 302
    plan = Plan.objects.get(network=network)
    assert (plan.slug, plan.price, plan.allowance) == ("pass-solidaire", Decimal("40"), 4)
    assert list(plan.eligible_spaces.all()) == [network.member_spaces[0]]
    assert "Pass solidaire" in client.get(plans_url(network)).content.decode()


@pytest.mark.parametrize("changes, field", [
    ({"allowance": "0"}, "allowance"),
    ({"allowance": ""}, "allowance"),
    ({"price": "-1"}, "price"),
    ({"validity_days": "0"}, "validity_days"),
    ({"validity_days": "99999"}, "validity_days"),
    ({"per_space_cap": "0"}, "per_space_cap"),
    ({"period": "unlimited", "allowance": ""}, "period"),
    ({"allowance": "99999999999"}, "allowance"),
    ({"name": "!!!"}, "slug"),
])
def test_bad_plan_input_is_named_on_its_field(client, network, changes, field):
    client.force_login(network.coordinator_person)
    response = client.post(plans_url(network), {**NEW, **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'value="Pass solidaire"' in response.content.decode() or field == "slug"
    assert not Plan.objects.exists()


def test_an_allowance_of_zero_says_so_on_the_field(client, network):
    client.force_login(network.coordinator_person)
    response = client.post(plans_url(network), {**NEW, "allowance": "0"})
    assert response.context["form"].errors["allowance"] == [
        "Le quota de passages doit être d'au moins 1 par période."]


def test_a_plan_nobody_holds_changes_freely(client, network):
    plan = PlanFactory(network=network, allowance=5, period=Period.MONTH)
    client.force_login(network.coordinator_person)
    response = client.post(edit_url(plan), edit_data(plan, allowance="8", period="rolling_30",
                                                     per_space_cap="2", name="Pass découverte"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.allowance, plan.period, plan.per_space_cap) == (
        "Pass découverte", 8, "rolling_30", 2)


def test_a_plan_in_use_shows_its_counting_terms_frozen_and_keeps_them(client, network):
    plan = PlanFactory(network=network, allowance=5, period=Period.MONTH)
    pass_obj = PassFactory(plan=plan, issuing_space=network.member_spaces[0])
    Visit.objects.create(pass_obj=pass_obj, space=network.member_spaces[1], day=timezone.localdate(),
                         value=plan.visit_value())
    client.force_login(network.coordinator_person)
    form = client.get(edit_url(plan)).context["form"]
    assert all(form.fields[name].disabled for name in ("period", "allowance", "per_space_cap"))
    # What a browser would not send for a disabled field is ignored; price and name change.
    response = client.post(edit_url(plan), edit_data(plan, allowance="50", price="80,50", name="Nouveau nom"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.allowance, plan.price, plan.name) == (5, Decimal("80.50"), "Nouveau nom")
    # The visit made before keeps the value it had.
    assert Visit.objects.get().value == Decimal("20.00")


def test_a_space_cannot_leave_a_plan_in_use_but_one_can_join(client, network):
    plan = PlanFactory(network=network)
    plan.eligible_spaces.set(network.member_spaces[:2])
    PassFactory(plan=plan, issuing_space=network.member_spaces[0])
    client.force_login(network.coordinator_person)
    response = client.post(edit_url(plan), edit_data(plan, eligible_spaces=[network.member_spaces[0].pk]))
    assert response.status_code == 400
    assert "un espace ne peut plus en être retiré" in response.context["form"].errors["eligible_spaces"][0]
    assert set(plan.eligible_spaces.all()) == set(network.member_spaces[:2])
    response = client.post(edit_url(plan), edit_data(plan, eligible_spaces=[]))  # all of them
    assert response.status_code == 302
    assert not plan.eligible_spaces.exists()


def test_the_service_refuses_a_frozen_term_whatever_the_caller(network):
    plan = PlanFactory(network=network, allowance=5)
    PassFactory(plan=plan, issuing_space=network.member_spaces[0])
    for changes, field in (({"allowance": 6}, "allowance"), ({"period": Period.ROLLING_30}, "period"),
                           ({"per_space_cap": 1}, "per_space_cap")):
        terms = {"name": plan.name, "price": plan.price, "period": plan.period, "allowance": plan.allowance,
                 "validity_days": plan.validity_days, "per_space_cap": plan.per_space_cap,
                 "eligible_spaces": [], "is_active": True, **changes}
        with pytest.raises(services.PlanInUse) as refusal:
            services.plan_update(plan=plan, **terms)
        assert refusal.value.field == field
    plan.refresh_from_db()
    assert (plan.allowance, plan.period, plan.per_space_cap) == (5, Period.MONTH, None)


def test_a_walk_in_day_keeps_its_one_day_terms_when_edited(client, network):
    day = services.plan_create(network=network, kind=PlanKind.DAY, name="Journée", slug="journee",
                               price=Decimal("15"), period=Period.MONTH, allowance=1, validity_days=1)
    client.force_login(network.coordinator_person)
    response = client.post(edit_url(day), {"name": "Journée sur place", "price": "18", "is_active": "on"})
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.name, day.price, day.allowance, day.validity_days) == ("Journée sur place", 18, 1, 1)


def test_a_plan_taken_off_sale_is_no_longer_sold(client, network):
    plan = PlanFactory(network=network)
    client.force_login(network.coordinator_person)
    data = edit_data(plan)
    del data["is_active"]
    client.post(edit_url(plan), data)
    assert not selectors.subscription_plans(network.member_spaces[0]).exists()


def test_nobody_but_the_coordinators_reaches_the_plans(client, network):
    plan = PlanFactory(network=network)
    manager = member_of(network.member_spaces[0].operator, Role.SPACE_MANAGER)
    other_coordinator = member_of(PassNetworkFactory().coordinator, Role.COORDINATOR)
    for person in (manager, other_coordinator, PassFactory(plan=plan).holder):
        client.force_login(person)
        assert client.get(plans_url(network)).status_code == 404
        assert client.get(edit_url(plan)).status_code == 404
        assert client.post(plans_url(network), NEW).status_code == 404
        assert client.post(edit_url(plan), edit_data(plan, name="Piraté")).status_code == 404
    assert Plan.objects.get().name == plan.name


def test_the_plans_list_costs_the_same_queries_for_two_or_twelve_plans(client, network):
    client.force_login(network.coordinator_person)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(plans_url(network)).status_code == 200
        return len(captured)

    for _ in range(2):
        PlanFactory(network=network).eligible_spaces.set(network.member_spaces[:1])
    few = queries()
    for _ in range(10):
        plan = PlanFactory(network=network)
        plan.eligible_spaces.set(network.member_spaces[1:])
        PassFactory(plan=plan, issuing_space=network.member_spaces[1])
    assert queries() == few


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries(dict.fromkeys(
    ["name", "slug", "kind", "price", "period", "allowance", "per_space_cap", "validity_days"],
    st.one_of(st.text(max_size=30), st.sampled_from([
        "", "0", "-1", "1,5", "99999999999", "NaN", "Infinity", "1e400", "unlimited", "trial", "day",
        "\x00", "=HYPERLINK()", "é" * 200])))))
def test_no_input_makes_the_plan_form_fail(client, network, data):
    """Whatever is typed, a plan is created (302) or the form says what is wrong (400)."""
    client.force_login(network.coordinator_person)
    response = client.post(plans_url(network), data)
    assert response.status_code in (302, 400), (data, response.status_code)


def test_a_group_of_spaces_is_described_by_its_help_and_its_error(client, network):
    """A screen reader reads "Aucun coché : tous les espaces du réseau." and the refusal with the group."""
    plan = PlanFactory(network=network)
    plan.eligible_spaces.set(network.member_spaces[:2])
    PassFactory(plan=plan, issuing_space=network.member_spaces[0])
    client.force_login(network.coordinator_person)
    html = client.get(edit_url(plan)).content.decode()
    assert 'aria-describedby="id_eligible_spaces_helptext"' in html
    html = client.post(edit_url(plan), edit_data(plan, eligible_spaces=[network.member_spaces[0].pk])
                       ).content.decode()
    assert 'aria-describedby="id_eligible_spaces_helptext id_eligible_spaces_error"' in html
    assert 'id="id_eligible_spaces_error"' in html
