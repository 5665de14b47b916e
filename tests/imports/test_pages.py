"""The pages of imported agendas: add by address or file (preview, then confirm), a source's page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Event, EventStatus
from imports import services
from imports.fetch import FetchFailed
from imports.models import Source
from network.models import Role
from tests.factories import OrganizationFactory, member_of
from tests.imports.conftest import feed

SOURCES = "/structures/apes/agendas/"


@pytest.fixture
def organizer(client, apes):
    client.force_login(apes.organizer)
    return client


def test_only_organizers_of_the_organization_see_its_agendas(client, apes):
    client.force_login(member_of(OrganizationFactory(), Role.ORGANIZER))
    assert client.get(SOURCES).status_code == 403
    client.force_login(apes.coordinator)
    assert client.get(SOURCES).status_code == 403


def test_adding_an_address_previews_then_imports_on_confirmation(organizer, feed_server):
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    form = {"name": "Ressourcerie", "url": feed_server.url("/cal.ics"), "format": "atelier",
            "time_zone": "Europe/Paris", "interval_minutes": "60"}

    preview = organizer.post(SOURCES, {**form, "action": "preview"})

    text = preview.content.decode()
    assert preview.status_code == 200
    assert "2 événements trouvés, 1 nouveau, 0 " in text and "privé dans l&#x27;agenda d&#x27;origine" in text
    assert not Source.objects.exists() and not Event.objects.exists()

    confirmed = organizer.post(SOURCES, {**form, "action": "confirm"})

    source = Source.objects.get()
    assert confirmed.status_code == 302 and confirmed.url == f"{SOURCES}{source.pk}/"
    event = Event.objects.get(import_item__source=source)
    assert (event.title, event.format, event.status) == ("Atelier réparation vélo", "atelier",
                                                         EventStatus.PUBLISHED)
    page = organizer.get(confirmed.url).content.decode()
    assert "Atelier réparation vélo" in page and "Agenda importé : 2 événements trouvés" in page


def test_a_refused_address_is_said_beside_the_field(organizer):
    response = organizer.post(SOURCES, {"url": "http://169.254.169.254/latest/", "format": "autre",
                                        "time_zone": "Europe/Paris", "interval_minutes": "60",
                                        "action": "preview"})
    assert response.status_code == 200
    assert "169.254.169.254 est une adresse interne" in response.content.decode()
    assert not Source.objects.exists()


def test_a_csv_file_is_kept_between_preview_and_confirmation(organizer):
    data = feed_csv()
    form = {"format": "autre", "time_zone": "Europe/Paris", "interval_minutes": "60"}

    preview = organizer.post(SOURCES, {**form, "file": SimpleUploadedFile("programme.csv", data),
                                       "action": "preview"})
    token = preview.context["file_token"]
    assert token and "ligne 3, colonne « début »" in preview.content.decode()

    organizer.post(SOURCES, {**form, "file_token": token, "action": "confirm"})

    source = Source.objects.get()
    assert (source.kind, source.upload_name) == ("csv", "programme.csv")
    assert list(Event.objects.values_list("title", flat=True)) == ["Forum"]


def feed_csv() -> bytes:
    from datetime import timedelta

    from django.utils import timezone
    day = (timezone.localdate() + timedelta(days=10)).strftime("%d/%m/%Y")
    return f"titre;début\r\nForum;{day} 10:00\r\nCassé;demain\r\n".encode()


def test_a_sources_page_pauses_resumes_asks_a_sync_and_deletes(organizer, add_source, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(services.wake, "enqueue", lambda *args, **kwargs: sent.append(args))
    source = add_source(url="https://example.org/a.ics")
    page = f"{SOURCES}{source.pk}/"

    organizer.post(page, {"action": "pause"})
    assert Source.objects.get().paused
    assert "Source en pause" in organizer.get(page).content.decode()
    organizer.post(page, {"action": "resume"})
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(page, {"action": "sync"})
    assert sent == [("imports.sync_source", (source.pk,))]
    assert organizer.post(page, {"action": "delete"}).url == SOURCES
    assert not Source.objects.exists()


def test_a_failing_source_shows_its_error_and_next_try(organizer, add_source, feed_server):
    source = add_source(url=feed_server.url("/missing.ics"))
    with pytest.raises(FetchFailed):
        services.source_sync(source_id=source.pk)

    page = organizer.get(f"{SOURCES}{source.pk}/").content.decode()

    assert "Le serveur a répondu 404" in page and "Prochain essai" in page and "après 1 échec" in page


def test_an_imported_events_form_locks_what_the_source_gives_until_detached(organizer, add_source, apes):
    source = add_source(kind="ics", upload=feed("nextcloud.ics"), upload_name="a.ics")
    services.source_sync(source_id=source.pk)
    event = Event.objects.get()
    edit = reverse("web:event-edit", args=[event.slug])

    form = organizer.get(edit).context["form"]
    assert form.fields["title"].disabled and form.fields["starts_at"].disabled
    assert not form.fields["capacity"].disabled
    assert "Importé de l'agenda « Agenda de l&#x27;APES »" in organizer.get(
        reverse("web:event", args=[event.slug])).content.decode()

    organizer.post(reverse("web:event-detach", args=[event.slug]))

    assert not organizer.get(edit).context["form"].fields["title"].disabled


def test_the_programme_template_downloads_in_french_columns(client):
    response = client.get("/agendas/modele-programme.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").splitlines()[0] == (
        "titre;description;début;fin;lieu;adresse;code INSEE ou commune;format;thèmes;lien;tarif;public;clé")


def test_the_sources_page_costs_the_same_few_queries_however_many_sources(
        organizer, add_source, django_assert_max_num_queries):
    for n in range(10):
        add_source(url=f"https://example.org/{n}.ics", name=f"Agenda {n}")
    with django_assert_max_num_queries(14):
        assert organizer.get(SOURCES).status_code == 200
