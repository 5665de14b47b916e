"""In a real browser: the agenda, an organizer, a coordinator and a member at work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from events import services
from events.models import CoOrganization, Event, Moderation
from network.models import Role
from tests.events.factories import EventFactory, in_days
from tests.factories import OrganizationFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

NB = "\u00a0"


def sign_in(page, email: str, next_path: str = "/") -> None:
    page.goto(f"{page.base}/connexion/?next={next_path}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**{next_path}")


def test_visitor_filters_the_agenda_and_copies_a_subscription_link(page, town, screenshot):
    EventFactory(title="Café métiers du numérique", format="cafe_metiers", starts_at=in_days(3))
    EventFactory(title="Atelier compostage", format="atelier", starts_at=in_days(4))

    page.goto(page.base + "/agenda/")
    assert page.locator(".event-title").count() == 3
    page.get_by_label("Format").select_option(label="Café métiers")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**format=cafe_metiers**")
    assert page.locator(".event-title").all_inner_texts() == ["Café métiers du numérique"]
    assert page.get_by_role("status").first.inner_text() == "1 événement à venir"

    address = page.locator("#agenda-url").input_value()
    assert address.endswith("/feeds/events.ics?format=cafe_metiers")
    page.get_by_role("button", name="Copier").click()
    # The Clipboard API answers asynchronously; the status line follows it.
    page.locator("#agenda-status", has_text="Adresse copiée.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert page.get_by_role("link", name="Ajouter à Google Agenda").get_attribute("href").startswith(
        "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2F")
    screenshot(page, "agenda-filtered-and-link-copied")


def start_cafe_metiers(page, title: str, starts, ends) -> None:
    """The organizer of the APES opens the event form and fills in a café métiers."""
    sign_in(page, "orga@apes.test", "/mes-evenements/")
    page.get_by_role("link", name="Créer un événement").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_format").select_option("cafe_metiers")
    page.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_ends_at").fill(ends.strftime("%Y-%m-%dT%H:%M"))


def test_organizer_creates_an_event_and_sees_a_clash_hint(page, town, screenshot):
    day = in_days(9)
    EventFactory(title="Forum voisin", starts_at=day.replace(hour=17, minute=0),
                 ends_at=day.replace(hour=20, minute=0), commune_insee=town.apes.commune_insee)

    start_cafe_metiers(page, "Café métiers : la coopération", day.replace(hour=18, minute=30),
                       day.replace(hour=20, minute=30))
    page.locator("#id_capacity").fill("15")
    page.locator("#id_campaign").select_option(label="Mois de l'ESS")
    page.locator("#id_status").select_option("published")

    page.get_by_role("button", name="Vérifier sans enregistrer").click()
    assert "Forum voisin" in page.locator(".clash-hints").inner_text()
    assert not Event.objects.filter(title="Café métiers : la coopération").exists()

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url("**/modifier/")
    assert "Événement enregistré." in page.locator(".messages").inner_text()
    assert "Forum voisin" in page.locator(".clash-hints").inner_text()
    created = Event.objects.get(title="Café métiers : la coopération")
    assert created.moderation == Moderation.PENDING
    screenshot(page, "organizer-clash-hint")


def test_coordinator_approves_a_submitted_event(page, town, screenshot):
    EventFactory(title="Visite de la ressourcerie", slug="visite", campaign=town.campaign,
                 moderation=Moderation.PENDING, organization=town.apes)

    sign_in(page, "coord@cress.test", "/moderation/")
    item = page.locator(".moderation-item", has_text="Visite de la ressourcerie")
    item.get_by_label("Commentaire pour les organisateur·rices").fill("Bienvenue au programme !")
    item.get_by_role("button", name="Approuver").click()
    page.wait_for_url("**/moderation/")
    assert "« Visite de la ressourcerie » est approuvé." in page.locator(".messages").inner_text()
    assert "Rien à modérer pour le moment." in page.locator("main").inner_text()
    assert Event.objects.get(slug="visite").moderation == Moderation.APPROVED

    page.goto(page.base + "/campagnes/mois-ess/")
    assert "Visite de la ressourcerie" in page.locator("main").inner_text()
    screenshot(page, "coordinator-approved")


def test_member_registers_and_the_seat_count_drops(page, town, screenshot):
    Event.objects.filter(pk=town.forum.pk).update(capacity=3, starts_at=in_days(6),
                                                  ends_at=in_days(6) + timedelta(hours=2))
    page.goto(page.base + "/evenements/forum/")
    assert page.locator("#places").inner_text() == "3 places restantes"
    page.get_by_role("link", name="Vous avez un compte ? Connectez-vous.").click()
    page.locator("#id_username").fill("membre@essaim.test")
    page.locator("#id_password").fill("motdepasse-test")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/evenements/forum/")

    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url("**/evenements/forum/")
    assert "Votre inscription est confirmée." in page.locator(".messages").inner_text()
    assert page.locator("#places").inner_text() == "2 places restantes"
    assert page.get_by_role("button", name="Annuler mon inscription").is_visible()
    screenshot(page, "member-registered")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "member-registered-on-a-phone")


def test_on_a_phone_the_agenda_filters_fold_until_asked(browser, live_server, town, screenshot):
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/agenda/")
    assert not page.get_by_label("Format").is_visible()
    assert page.locator(".event-title").first.is_visible()
    page.get_by_text("Filtrer les événements").click()
    page.get_by_label("Format").select_option("forum")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**format=forum**")
    assert page.get_by_label("Format").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "agenda-on-a-phone")
    context.close()


def test_a_guest_registers_then_cancels_from_the_secret_link(page, town, screenshot):
    Event.objects.filter(pk=town.forum.pk).update(capacity=3)
    page.goto(page.base + "/evenements/forum/")
    page.get_by_label("Nom").fill("Ada Lovelace")
    page.get_by_label("Adresse e-mail").fill("ada@example.org")
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url("**/inscriptions/**")
    assert page.locator("#registration-status").inner_text() == "Vous êtes inscrit·e."
    screenshot(page, "guest-registered")
    secret_page = page.url

    page.get_by_role("button", name="Confirmer mon adresse").click()
    assert "Votre adresse est confirmée." in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Annuler mon inscription").click()
    assert page.locator("#registration-status").inner_text() == "Cette inscription est annulée."
    page.goto(page.base + "/evenements/forum/")
    assert page.locator("#places").inner_text() == "3 places restantes"
    assert page.url != secret_page


def test_organizer_creates_a_monthly_cafe_metiers_series_and_sees_its_dates(page, town, screenshot):
    october = date(timezone.localdate().year + 1, 10, 1)
    first_thursday = october + timedelta(days=(3 - october.weekday()) % 7)

    start_cafe_metiers(page, "Café métiers : l'économie circulaire",
                       datetime.combine(first_thursday, time(18, 30)),
                       datetime.combine(first_thursday, time(20)))
    page.locator("#id_status").select_option("published")
    page.get_by_label("Répétition").select_option(label="Chaque mois, le même jour de la semaine "
                                                        "(ex. le 1er jeudi du mois)")
    page.get_by_label("Nombre de dates").fill("3")
    page.get_by_role("button", name="Enregistrer", exact=True).click()

    page.wait_for_url("**/mes-evenements/series/**")
    assert "Série enregistrée : 3 dates." in page.locator(".messages").inner_text()
    rows = page.locator("main table tbody tr").all_inner_texts()
    assert len(rows) == 3
    for row, month in zip(rows, ("octobre", "novembre", "décembre"), strict=True):
        assert "jeudi" in row and month in row and f"18{NB}h{NB}30" in row
    assert Event.objects.filter(series__isnull=False, status="published").count() == 3
    screenshot(page, "organizer-monthly-series")


def test_an_invited_organizer_accepts_one_co_organization_and_declines_another(page, town, screenshot):
    mutualab = OrganizationFactory(name="Mutualab", slug="mutualab")
    lead = member_of(mutualab, Role.ORGANIZER, email="orga@mutualab.test")
    open_day = EventFactory(organization=mutualab, title="Portes ouvertes du Mutualab", starts_at=in_days(12))
    squat = EventFactory(organization=mutualab, title="Soirée sans l'APES", starts_at=in_days(14))
    for event in (open_day, squat):
        services.co_organizers_request(actor=lead, event=event, organizations=[town.apes])

    sign_in(page, "orga@apes.test", "/mes-evenements/")
    notice = page.locator(".notice").inner_text()
    assert "2 demandes de co-organisation attendent votre réponse." in notice
    page.get_by_role("link", name="Répondre").click()
    page.wait_for_url("**/mes-evenements/co-organisation/")
    request = page.locator("article", has_text="Portes ouvertes du Mutualab")
    assert "Mutualab propose à APES de co-organiser cet événement." in request.inner_text()
    screenshot(page, "co-organization-requests")

    request.get_by_role("button", name="Accepter").click()
    assert "APES co-organise « Portes ouvertes du Mutualab »." in page.locator(".messages").inner_text()
    page.locator("article", has_text="Soirée sans l'APES").get_by_role("button", name="Décliner").click()
    assert "la structure organisatrice est prévenue" in page.locator(".messages").inner_text()
    assert "Aucune demande n'attend de réponse." in page.locator("main").inner_text()
    screenshot(page, "co-organization-answered")

    assert list(open_day.co_organizers.all()) == [town.apes]
    assert not squat.co_organizers.exists()
    assert CoOrganization.objects.get(event=squat).decided_by == town.organizer
    assert Message.objects.filter(kind="co_organization_decision", to=lead.email).count() == 2
    page.goto(f"{page.base}/evenements/{open_day.slug}/")
    assert "Mutualab, APES" in page.locator("dd").filter(has_text="Mutualab").inner_text()
