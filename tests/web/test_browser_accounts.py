"""In a real browser: a newcomer signs up, is invited and organizes; a forgotten password is
reset; a coworker sold a pass before having an account takes it."""

from __future__ import annotations

import pytest

from events.models import Event, EventStatus
from network.models import Membership, Person, Role
from passes.models import Pass
from tests.accounts.conftest import last_message, link_in
from tests.events.factories import in_days
from tests.factories import PersonFactory, member_of
from tests.passes.factories import PassNetworkFactory, PlanFactory, SpaceFactory
from tests.web.test_browser_events import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "Ruche-bourdonnante-42"


def open_link(page, email: str, kind: str) -> None:
    page.goto(page.base + link_in(last_message(email, kind)))


def sign_in_with(page, email: str, password: str, next_path: str = "/compte/") -> None:
    page.goto(f"{page.base}/connexion/?next={next_path}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**{next_path}")


def test_newcomer_signs_up_is_invited_by_apes_and_creates_a_draft(page, browser, town, screenshot):
    member_of(town.apes, Role.ADMIN, email="admin@apes.test", full_name="Adèle Admin")

    page.goto(page.base + "/")
    page.locator(".header-tools").get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Nom complet").fill("Nina Nouvelle")
    page.get_by_label("Adresse e-mail").fill("nina@example.org")
    page.get_by_label("Mot de passe").fill(STRONG)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/compte/inscription/envoyee/")
    screenshot(page, "accounts-signup-sent")

    # Signed in before confirming: the banner says why nothing can be given yet.
    sign_in_with(page, "nina@example.org", STRONG)
    assert "Confirmez votre adresse nina@example.org" in page.locator(".unverified").inner_text()
    screenshot(page, "accounts-unverified-banner")

    open_link(page, "nina@example.org", "account_verification")
    page.get_by_role("button", name="Confirmer mon adresse").click()
    page.wait_for_url("**/compte/")
    assert "Votre adresse e-mail est confirmée." in page.locator(".messages").inner_text()
    assert page.locator(".unverified").count() == 0
    assert Person.objects.get(email="nina@example.org").email_verified

    # Meanwhile the APES admin invites her as an organizer, in a browser of their own.
    admin_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    admin = admin_context.new_page()
    admin.base = page.base
    sign_in(admin, "admin@apes.test", "/compte/")
    admin.get_by_role("link", name="Gérer les membres").click()
    admin.get_by_label("Adresse e-mail").fill("nina@example.org")
    admin.get_by_label("Rôle").select_option("organizer")
    admin.get_by_role("button", name="Envoyer l'invitation").click()
    assert "Invitation envoyée à nina@example.org." in admin.locator(".messages").inner_text()
    assert "nina@example.org" in admin.locator("table").last.inner_text()
    screenshot(admin, "accounts-members-page")
    admin_context.close()

    open_link(page, "nina@example.org", "invitation")
    assert "rejoindre APES comme organisateur·rice" in page.locator("main").inner_text()
    page.get_by_role("button", name="Accepter l'invitation").click()
    page.wait_for_url("**/mes-evenements/")
    assert Membership.objects.filter(person__email="nina@example.org", organization=town.apes,
                                     role=Role.ORGANIZER).exists()

    page.get_by_role("link", name="Créer un événement").click()
    day = in_days(12)
    page.locator("#id_title").fill("Atelier de bienvenue")
    page.locator("#id_format").select_option("atelier")
    page.locator("#id_starts_at").fill(day.replace(hour=18, minute=0).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_at").fill(day.replace(hour=20, minute=0).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url("**/modifier/")
    event = Event.objects.get(title="Atelier de bienvenue")
    assert event.status == EventStatus.DRAFT and event.organization == town.apes
    screenshot(page, "accounts-newcomer-draft")


def test_forgotten_password_is_reset_and_the_link_then_answers_expired(page, town, screenshot):
    page.goto(page.base + "/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill("membre@essaim.test")
    page.get_by_role("button", name="Recevoir un lien").click()
    page.wait_for_url("**/compte/mot-de-passe-oublie/envoye/")
    assert "Si un compte existe avec cette adresse" in page.locator("main").inner_text()

    link = link_in(last_message("membre@essaim.test", "password_reset"))
    page.goto(page.base + link)
    page.get_by_label("Nouveau mot de passe").fill("1234")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    assert page.locator(".field.has-error").count() == 1
    screenshot(page, "accounts-reset-weak-password")
    page.get_by_label("Nouveau mot de passe").fill(STRONG)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.wait_for_url("**/connexion/")
    assert "connectez-vous avec le nouveau" in page.locator(".messages").inner_text()

    sign_in_with(page, "membre@essaim.test", STRONG)
    assert "membre@essaim.test" in page.locator("main").inner_text()

    page.goto(page.base + link)
    assert "Ce lien a expiré ou a déjà servi." in page.locator("main").inner_text()
    screenshot(page, "accounts-reset-link-used")


def test_coworker_sold_a_pass_before_having_an_account_takes_it(page, db, login, screenshot):
    home = SpaceFactory(slug="maison", name="Maison de l'ESS")
    plan = PlanFactory(network=PassNetworkFactory(spaces=[home]), name="Mensuel")
    seller = member_of(home.operator, Role.SPACE_MANAGER)
    response = login(seller).post("/api/v1/passes/", {"plan": plan.id, "holder_email": "cowork@example.org",
                                                      "issuing_space": "maison"}, format="json")
    assert response.status_code == 202

    open_link(page, "cowork@example.org", "invitation")
    sold = "Maison de l'ESS vous a vendu un pass coworking «\u00a0Mensuel\u00a0»."
    assert sold in page.locator("main").inner_text()
    screenshot(page, "accounts-pass-invitation")
    page.get_by_label("Nom complet").fill("Camille Cowork")
    page.get_by_label("Mot de passe").fill(STRONG)
    page.get_by_role("button", name="Créer mon compte et accepter").click()
    page.wait_for_url("**/mon-pass/")
    card = page.locator(".pass-card")
    assert card.count() == 1
    assert card.locator(".pass-qr svg").count() == 1
    assert Pass.objects.get().holder.email == "cowork@example.org"
    screenshot(page, "accounts-pass-handed-over")


def test_someone_else_signed_in_cannot_take_an_invitation(page, town, login):
    admin = member_of(town.apes, Role.ADMIN)
    login(admin).post("/api/v1/invitations/", {"organization": "apes", "email": "invitee@example.org",
                                               "role": "organizer"}, format="json")
    PersonFactory(email="autre@example.org")
    sign_in(page, "autre@example.org", "/compte/")
    open_link(page, "invitee@example.org", "invitation")
    assert "cette invitation est adressée à une autre adresse" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Accepter l'invitation").count() == 0
