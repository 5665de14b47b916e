"""In a real browser: the desk welcomes someone without a pass for a day, and a trial day asked
without an address keeps what was typed and says why on the field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from network.models import Role
from passes import services
from passes.models import Pass, PlanKind
from tests.factories import member_of
from tests.passes.factories import PassNetworkFactory, SpaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_desk_sells_a_walk_in_day_and_checks_the_guest_in(page, screenshot):
    space = SpaceFactory(name="Mutualab", slug="mutualab", desk_capacity=12)
    network = PassNetworkFactory(spaces=[space])
    services.plan_create(network=network, kind=PlanKind.DAY, name="Journée sur place", slug="journee",
                         price=Decimal("15"), period="month", allowance=1, validity_days=1)
    services.plan_create(network=network, kind=PlanKind.TRIAL, name="Journée d'essai", slug="essai",
                         price=Decimal("0"), period="month", allowance=1, validity_days=1)
    member_of(space.operator, Role.SPACE_MANAGER, email="accueil@mutualab.test")

    page.goto(f"{page.base}/connexion/?next=/pointage/")
    page.locator("#id_username").fill("accueil@mutualab.test")
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espaces/mutualab/accueil/")

    page.get_by_text("Accueillir quelqu'un sans pass").click()
    page.get_by_label("Formule").select_option(label=f"{network.name} — Journée d'essai")
    page.get_by_label("Nom", exact=True).fill("Jeanne Martin")
    page.get_by_role("button", name="Enregistrer et pointer l'arrivée").click()
    error = page.locator("#id_email_error")
    error.wait_for()
    assert "Une journée d'essai demande une adresse e-mail." in error.inner_text()
    assert page.get_by_label("Nom", exact=True).input_value() == "Jeanne Martin"
    screenshot(page, "desk-trial-day-needs-an-address")

    page.get_by_label("Formule").select_option(label=f"{network.name} — Journée sur place")
    page.get_by_role("button", name="Enregistrer et pointer l'arrivée").click()
    welcome = page.get_by_role("status").filter(has_text="Bienvenue")
    welcome.wait_for()
    assert "Bienvenue, Jeanne !" in welcome.inner_text()
    assert "journée sur place" in welcome.inner_text()
    assert "Jeanne Martin" in page.locator(".present-list").inner_text()
    assert Pass.objects.get(guest_name="Jeanne Martin").visits.count() == 1
    screenshot(page, "desk-walk-in-welcomed")
