"""In a real browser: a space's manager sells a pass to a new address, then suspends and
reactivates it, and the desk refuses it while it is suspended."""

from __future__ import annotations

import pytest

from accounts.models import Invitation
from network.models import Role
from passes.models import Pass, PassStatus
from tests.factories import member_of
from tests.passes.factories import PassNetworkFactory, PlanFactory, SpaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_sells_a_pass_to_a_new_address_then_suspends_and_reactivates_it(page, screenshot):
    space = SpaceFactory(name="Mutualab", slug="mutualab", desk_capacity=12)
    PlanFactory(network=PassNetworkFactory(name="ch'tipass", spaces=[space]), name="Pass découverte",
                allowance=5)
    member_of(space.operator, Role.SPACE_MANAGER, email="accueil@mutualab.test")

    page.goto(f"{page.base}/connexion/?next=/pointage/")
    page.locator("#id_username").fill("accueil@mutualab.test")
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espaces/mutualab/accueil/")
    page.get_by_role("link", name="Pass vendus", exact=True).click()

    page.get_by_label("Adresse e-mail du ou de la titulaire").fill("nouvelle@example.org")
    page.get_by_role("button", name="Vendre le pass").click()
    page.locator(".messages", has_text="une invitation lui est envoyée").wait_for()
    sold = Pass.objects.get()
    assert Invitation.objects.get(held_pass=sold).email == "nouvelle@example.org"
    row = page.locator("tr", has_text=sold.short_code)
    assert "invitation envoyée à nouvelle@example.org" in row.inner_text()
    screenshot(page, "space-passes-sold-to-a-new-address")

    row.get_by_role("button", name="Suspendre").click()
    page.locator(".messages", has_text=f"Pass {sold.short_code} suspendu.").wait_for()
    sold.refresh_from_db()
    assert sold.status == PassStatus.SUSPENDED

    page.get_by_role("link", name="Pointer une arrivée").click()
    page.get_by_label("Code du pass").fill(sold.short_code)
    page.get_by_role("button", name="Pointer l'arrivée").click()
    page.get_by_role("alert").filter(has_text="Ce pass est suspendu.").wait_for()

    page.get_by_role("link", name="Pass vendus", exact=True).click()
    page.locator("tr", has_text=sold.short_code).get_by_role("button", name="Réactiver").click()
    page.locator(".messages", has_text=f"Pass {sold.short_code} réactivé.").wait_for()
    sold.refresh_from_db()
    assert sold.status == PassStatus.ACTIVE
    screenshot(page, "space-passes-reactivated")
