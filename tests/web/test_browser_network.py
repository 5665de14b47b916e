"""In a real browser: a network's coordinator settles last month; a space's manager opens
the space now and the desk checks a member in."""

from __future__ import annotations

import pytest

from network.models import Role
from passes.models import SettlementMonth
from tests.factories import member_of
from tests.web.test_settlement_pages import last_month, network_of

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email: str, next_url: str) -> None:
    page.goto(f"{page.base}/connexion/?next={next_url}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main").get_by_role("button", name="Se connecter").click()


def test_a_coordinator_reads_last_months_transfers_and_closes_it(page, screenshot):
    month = last_month()
    network, _spaces, coordinator = network_of(3, month=month, names=["La Fabrique", "Mutualab", "Le Relais"])
    coordinator.email = "coord@reseau.test"
    coordinator.save(update_fields=["email"])
    sign_in(page, "coord@reseau.test", "/")
    page.get_by_role("link", name="Réseau de pass").click()
    page.wait_for_url(f"**/reseaux/{network.slug}/reglements/")
    assert "À clôturer" in page.locator("main table").inner_text()
    page.locator(f"a[href$='/reglements/{month:%Y-%m}/']").click()
    page.wait_for_url(f"**/reglements/{month:%Y-%m}/")
    assert page.locator("#transfers").inner_text().strip() == "La Fabrique verse 7,00\u00a0€ à Le Relais"
    assert "Mois ouvert." in page.locator("#month-state").inner_text()
    screenshot(page, "settlement-open-month")

    page.get_by_role("button", name="Clore le mois").click()
    page.wait_for_url(f"**/reglements/{month:%Y-%m}/")
    assert "Mois clôturé le" in page.locator("#month-state").inner_text()
    assert page.get_by_role("button", name="Clore le mois").count() == 0
    assert "est clôturé" in page.locator(".messages").inner_text()
    assert SettlementMonth.objects.filter(network=network, month=month).exists()
    screenshot(page, "settlement-closed-month")


def test_a_space_manager_sees_their_lines_and_prints_their_statement(page, screenshot):
    month = last_month()
    network, spaces, _coordinator = network_of(3, month=month, names=["La Fabrique", "Mutualab", "Le Relais"])
    member_of(spaces[2].operator, Role.SPACE_MANAGER, email="accueil@relais.test")
    sign_in(page, "accueil@relais.test", f"/reseaux/{network.slug}/reglements/{month:%Y-%m}/")
    page.wait_for_url(f"**/reglements/{month:%Y-%m}/")
    assert page.get_by_role("button", name="Clore le mois").count() == 0
    assert page.locator("#transfers").inner_text().strip() == "La Fabrique verse 7,00\u00a0€ à Le Relais"
    page.get_by_role("link", name="Décompte", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Décompte de Le Relais"
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    screenshot(page, "settlement-statement-print")
