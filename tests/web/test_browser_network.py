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


def test_a_manager_opens_the_space_now_and_the_desk_checks_a_member_in(page, screenshot):
    from datetime import time

    from django.utils import timezone

    from tests.factories import PersonFactory
    from tests.passes.factories import PassFactory, PassNetworkFactory, PlanFactory, SpaceFactory

    space = SpaceFactory(name="Mutualab", slug="mutualab", hours=[])
    today = timezone.now().astimezone(space.zone).weekday()
    # Open only on another day of the week: closed now.
    space.opening_hours.create(weekday=(today + 1) % 7, opens=time(9), closes=time(18))
    PassFactory(plan=PlanFactory(network=PassNetworkFactory(spaces=[space]), allowance=5),
                issuing_space=space, short_code="K7M4P2QX", holder=PersonFactory(full_name="Marie Curie"))
    member_of(space.operator, Role.SPACE_MANAGER, email="accueil@mutualab.test")
    sign_in(page, "accueil@mutualab.test", "/espaces/mutualab/accueil/")
    page.wait_for_url("**/espaces/mutualab/accueil/")

    page.get_by_label("Code du pass").fill("K7M4P2QX")
    page.get_by_role("button", name="Pointer l'arrivée").click()
    page.get_by_role("alert").filter(has_text="L'espace est fermé en ce moment.").wait_for()

    page.get_by_role("link", name="Gestion de l'espace").click()
    assert "Fermé en ce moment" in page.locator("#open-now").inner_text()
    day = page.locator(f"#id_day_{today}")
    day.fill("18:00-09:00")
    page.get_by_role("button", name="Enregistrer les horaires").click()
    error = page.locator(f"#id_day_{today}_error")
    error.wait_for()
    assert "L'heure de fermeture doit suivre l'heure d'ouverture." in error.inner_text()
    screenshot(page, "space-hours-refused-on-their-day")

    page.locator(f"#id_day_{today}").fill("0:00-12:00, 12:00-24:00")
    page.get_by_role("button", name="Enregistrer les horaires").click()
    page.locator(".messages", has_text="Horaires enregistrés.").wait_for()
    assert page.locator(f"#id_day_{today}").input_value() == "00:00-12:00, 12:00-24:00"
    assert "Ouvert en ce moment" in page.locator("#open-now").inner_text()
    screenshot(page, "space-manage-hours-saved")

    page.get_by_role("link", name="Pointer une arrivée").click()
    page.get_by_label("Code du pass").fill("K7M4P2QX")
    page.get_by_role("button", name="Pointer l'arrivée").click()
    page.get_by_role("status").filter(has_text="Bienvenue, Marie !").wait_for()
    assert "Marie Curie" in page.locator(".present-list").inner_text()

    page.get_by_role("link", name="La journée").click()
    assert "Marie Curie" in page.locator("#arrivals").inner_text()
    assert "fermé en ce moment" in page.locator("#refusals").inner_text()
    screenshot(page, "desk-day")


def test_a_coordinator_creates_a_plan_after_a_refused_allowance_of_zero(page, screenshot):
    network, _spaces, coordinator = network_of(2, month=last_month(), names=["Mutualab", "Le Relais"])
    coordinator.email = "coord@reseau.test"
    coordinator.save(update_fields=["email"])
    sign_in(page, "coord@reseau.test", f"/reseaux/{network.slug}/reglements/")
    page.get_by_role("link", name="Forfaits", exact=True).click()
    page.locator("#id_name").fill("Pass solidaire")
    page.get_by_label("Prix (€)").fill("35,50")
    page.get_by_label("Passages par période").fill("0")
    page.get_by_label("Le Relais").check()
    page.get_by_role("button", name="Créer le forfait").click()
    error = page.locator("#id_allowance_error")
    error.wait_for()
    assert "Le quota de passages doit être d'au moins 1 par période." in error.inner_text()
    assert page.get_by_label("Le Relais").is_checked()
    screenshot(page, "plan-allowance-zero-refused")

    page.get_by_label("Passages par période").fill("4")
    page.get_by_role("button", name="Créer le forfait").click()
    page.locator(".messages", has_text="Forfait « Pass solidaire » créé.").wait_for()
    row = page.locator("#plan-list tr", has_text="Pass solidaire")
    assert "35,50" in row.inner_text() and "Le Relais" in row.inner_text()

    # The network's other plan is held: its counting terms show frozen.
    held = network.plans.exclude(name="Pass solidaire").get()
    page.get_by_role("link", name=f"Modifier {held.name}").click()
    assert page.get_by_label("Passages par période").is_disabled()
    assert not page.get_by_label("Prix (€)").is_disabled()
    screenshot(page, "plan-in-use-frozen-terms")


def test_a_manager_creates_a_kiosk_and_reads_its_token_once(page, screenshot):
    from tests.passes.factories import SpaceFactory

    space = SpaceFactory(name="Mutualab", slug="mutualab")
    member_of(space.operator, Role.SPACE_MANAGER, email="accueil@mutualab.test")
    sign_in(page, "accueil@mutualab.test", "/espaces/mutualab/gestion/")
    page.wait_for_url("**/espaces/mutualab/gestion/")
    page.get_by_label("Nom de la borne").fill("Borne de l'entrée")
    page.get_by_role("button", name="Créer la borne").click()
    token = page.locator("#new-token code")
    token.wait_for()
    assert len(token.inner_text()) > 30
    screenshot(page, "kiosk-token-shown-once")
    page.reload()
    assert page.locator("#new-token").count() == 0
    page.get_by_role("button", name="Révoquer Borne de l'entrée").click()
    page.locator(".messages", has_text="son jeton ne fonctionne plus").wait_for()
    assert "révoquée le" in page.locator("#kiosk-list").inner_text()
