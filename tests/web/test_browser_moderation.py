"""In a real browser: a national coordinator narrows the queue to one region and approves two
events at once; their public pages then carry the campaign's label."""

from __future__ import annotations

import pytest

from events.models import Event, Moderation, ModerationDecision
from network.models import Role
from tests.events.factories import EventFactory, in_days
from tests.factories import OrganizationFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email: str, next_path: str) -> None:
    page.goto(f"{page.base}/connexion/?next={next_path}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{next_path}")


def test_coordinator_filters_by_region_and_approves_two_at_once(page, town, screenshot):
    national = OrganizationFactory(name="ESS France", region="", department="", commune_insee="")
    town.campaign.coordinators.add(national)
    member_of(national, Role.COORDINATOR, email="coord@ess-france.test")
    lille = [EventFactory(organization=town.apes, campaign=town.campaign, moderation=Moderation.PENDING,
                          title=title, slug=slug, starts_at=in_days(days), address=address)
             for title, slug, days, address in [
                 ("Atelier compostage", "compostage", 5, "Place Rihour, 59000 Lille"),
                 ("Café métiers de la coopération", "cafe-cooperation", 6,
                  "12 rue de l'Alma, 59100 Roubaix")]]
    EventFactory(organization=town.apes, campaign=town.campaign, moderation=Moderation.PENDING,
                 title="Café citoyen manceau", slug="manceau", region="Pays de la Loire", department="72",
                 commune_insee="72181", address="25 rue du Port, 72000 Le Mans")

    page.goto(f"{page.base}/evenements/compostage/")
    assert page.locator(".badge.label").count() == 0

    sign_in(page, "coord@ess-france.test", "/moderation/")
    assert page.locator(".moderation-item").count() == 3
    page.get_by_label("Région").select_option("Hauts-de-France")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**region=Hauts-de-France**")
    items = page.locator(".moderation-item")
    assert items.count() == 2
    assert "Café citoyen manceau" not in page.locator("main").inner_text()
    assert "Roubaix (Nord), Hauts-de-France" in items.nth(1).inner_text()

    status = page.locator("[data-bulk-pick] [role=status]")
    assert status.inner_text() == "Aucun événement coché"
    for event in lille:
        page.get_by_role("checkbox", name=f"Choisir {event.title}").check()
    assert status.inner_text() == "2 événements cochés"
    assert page.locator("#pick-all").is_checked()
    page.locator("#bulk-comment").fill("Bienvenue au programme !")
    screenshot(page, "moderation-two-selected")
    page.get_by_role("button", name="Approuver la sélection").click()
    page.wait_for_url("**/moderation/?**region=Hauts-de-France**")
    assert "2 événements approuvés." in page.locator(".messages").inner_text()
    assert "Rien à modérer pour le moment." in page.locator("main").inner_text()
    assert set(Event.objects.filter(pk__in=[e.pk for e in lille]).values_list("moderation", flat=True)) == {
        Moderation.APPROVED}
    assert ModerationDecision.objects.filter(comment="Bienvenue au programme !").count() == 2
    assert Message.objects.filter(kind="campaign_decision", to="orga@apes.test").count() == 2
    screenshot(page, "moderation-two-approved")

    page.goto(f"{page.base}/evenements/compostage/")
    assert page.locator(".badge.label").inner_text() == "Mois de l'ESS"
    page.goto(f"{page.base}/evenements/manceau/")
    assert page.locator(".badge.label").count() == 0
