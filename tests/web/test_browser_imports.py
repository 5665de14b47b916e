"""In a real browser: an organizer connects the agenda the organization keeps elsewhere."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events import services as event_services
from events.models import Event, EventStatus
from feeds.tasks import publish_stale
from imports import services, tasks
from imports.models import Source
from network.models import Role
from tests.factories import PersonFactory
from tests.imports.conftest import feed, feed_server  # noqa: F401 (fixture)
from tests.web.test_browser_events import sign_in
from worker.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def _day(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).strftime("%Y%m%d")


def _unfolded(page, path: str) -> str:
    response = page.request.get(page.base + path)
    assert response.ok
    return response.text().replace("\r\n ", "").replace("\r\n", "\n")


def test_organizer_imports_an_agenda_that_then_moves_one_event_and_drops_another(
        page, town, feed_server, screenshot, monkeypatch):  # noqa: F811
    feed_server.routes["/agenda.ics"] = feed("google.ics")
    sign_in(page, "orga@apes.test", "/mes-evenements/")

    page.get_by_role("link", name="Importer l'agenda de APES").click()
    page.get_by_label("Nom", exact=True).fill("Agenda Google de l'APES")
    page.get_by_label("Adresse de l'agenda").fill(feed_server.url("/agenda.ics"))
    page.get_by_label("Format par défaut").select_option(label="Atelier")
    page.get_by_role("button", name="Voir l'aperçu").click()
    assert page.locator(".import-summary").inner_text().startswith("2 événements trouvés, 2 nouveaux, 0 ")
    assert not Source.objects.exists()
    screenshot(page, "import-preview")

    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url(re.compile(r".*/structures/apes/agendas/\d+/$"))
    assert "Agenda importé : 2 événements trouvés" in page.locator(".messages").inner_text()
    source = Source.objects.get()
    screenshot(page, "import-source")

    page.goto(page.base + "/agenda/")
    titles = page.locator(".event-title").all_inner_texts()
    assert "Café de l'ESS : les CAE" in titles and "Salon des initiatives ESS" in titles
    organization_feed = _unfolded(page, "/feeds/organizations/apes.ics")
    assert "SUMMARY:Café de l'ESS : les CAE" in organization_feed
    assert "SUMMARY:Salon des initiatives ESS" in organization_feed

    cafe = Event.objects.get(title="Café de l'ESS : les CAE")
    event_services.registration_create(event=cafe, person=PersonFactory(email="inscrite@example.org"))
    before = cafe.sequence

    # The agenda moves the café by two hours and drops the salon.
    moved = feed("google.ics", **{"DTSTART:{d10}T170000Z": "DTSTART:{d10}T190000Z",
                                  "DTEND:{d10}T190000Z": "DTEND:{d10}T210000Z"})
    moved = re.sub(rb"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE.*?END:VEVENT\r\n", b"", moved, flags=re.S)
    feed_server.routes["/agenda.ics"] = moved
    asked = []
    monkeypatch.setattr(services.wake, "enqueue", lambda name, args=(), **options: asked.append(args))

    page.goto(f"{page.base}/structures/apes/agendas/{source.pk}/")
    page.get_by_role("button", name="Synchroniser maintenant").click()
    assert "Synchronisation demandée" in page.locator(".messages").inner_text()
    assert asked == [(source.pk,)]
    tasks.sync_source(source.pk, claim=True)  # what the worker does with it
    publish_stale()  # and the feeds after it

    page.reload()
    assert "1 modifié, 1 annulé" in page.locator("dl.facts").inner_text()
    cafe.refresh_from_db()
    salon = Event.objects.get(title="Salon des initiatives ESS")
    assert cafe.sequence == before + 1 and salon.status == EventStatus.CANCELLED
    assert Message.objects.filter(kind="event_changed", to="inscrite@example.org").count() == 1
    screenshot(page, "import-after-sync")

    organization_feed = _unfolded(page, "/feeds/organizations/apes.ics")
    cafe_vevent = re.search(r"BEGIN:VEVENT\n(?:(?!END:VEVENT).)*?SUMMARY:Café de l'ESS(?:(?!END:VEVENT).)*",
                            organization_feed, re.S)[0]
    assert f"SEQUENCE:{before + 1}" in cafe_vevent
    assert re.search(rf"DTSTART;TZID=Europe/Paris:{_day(10)}T(20|21)0000", cafe_vevent)
    salon_vevent = re.search(r"BEGIN:VEVENT\n(?:(?!END:VEVENT).)*?SUMMARY:Salon des initiatives ESS"
                             r"(?:(?!END:VEVENT).)*", organization_feed, re.S)[0]
    assert "STATUS:CANCELLED" in salon_vevent

    page.goto(f"{page.base}/evenements/{salon.slug}/")
    assert "annulé" in page.locator("main").inner_text().lower()
    assert "Importé de l'agenda « Agenda Google de l'APES »" in page.locator("main").inner_text()


def test_only_organizers_reach_the_import_pages(page, town):
    town.member.memberships.create(organization=town.cress, role=Role.COORDINATOR)
    sign_in(page, "membre@essaim.test", "/")
    page.goto(page.base + "/structures/apes/agendas/")
    assert "Accès réservé" in page.locator("h1").inner_text()
