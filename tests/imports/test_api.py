"""``/api/v1/import-sources/``: the same services as the pages, the caller's roles checked."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from events.models import Event, EventStatus
from imports import services
from imports.models import Source
from network.models import Role
from tests.factories import OrganizationFactory, member_of
from tests.imports.conftest import feed

URL = "/api/v1/import-sources/"


@pytest.fixture
def organizer_api(login, apes):
    return login(apes.organizer)


@pytest.fixture
def no_broker(monkeypatch):
    sent = []
    monkeypatch.setattr(services.wake, "enqueue", lambda *args, **kwargs: sent.append(args))
    return sent


def test_an_organizer_adds_an_address_that_the_next_scan_syncs(organizer_api, feed_server):
    response = organizer_api.post(URL, {"organization": "apes", "kind": "url", "name": "Nextcloud",
                                        "url": feed_server.url("/cal.ics"), "keyword": "ESS",
                                        "themes": ["economie-circulaire"]}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["keyword"], body["themes"], body["paused"]) == (
        "url", "ESS", ["economie-circulaire"], False)
    assert Source.objects.get().next_sync_at is not None


def test_a_file_sent_as_multipart_is_imported_at_once(organizer_api):
    upload = SimpleUploadedFile("agenda.ics", feed("google.ics"), content_type="text/calendar")

    response = organizer_api.post(URL, {"organization": "apes", "kind": "ics", "file": upload},
                                  format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["upload_name"]) == ("agenda.ics", "agenda.ics")
    assert body["last_report"]["summary"].startswith("2 événements trouvés, 2 nouveaux, 0 ")
    assert (body["last_report"]["found"], body["last_report"]["created"]) == (2, 2)
    assert Event.objects.filter(import_item__source_id=body["id"]).count() == 2


def test_the_preview_answers_what_would_be_imported_and_keeps_nothing(organizer_api, feed_server):
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")

    response = organizer_api.post(URL + "preview/", {"organization": "apes", "kind": "url",
                                                     "url": feed_server.url("/cal.ics")}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["found"], body["created"], body["updated"], len(body["ignored"])) == (2, 1, 0, 1)
    assert body["summary"].startswith("2 événements trouvés, 1 nouveau, 0 ")
    assert body["ignored"][0]["reason"] == "privé dans l'agenda d'origine (CLASS)"
    assert not Source.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/a.ics",
                                 "http://127.0.0.1/a.ics", "http://[::1]/a.ics", "file:///etc/passwd"])
def test_an_internal_or_non_web_address_is_refused_naming_the_field(organizer_api, url):
    response = organizer_api.post(URL + "preview/", {"organization": "apes", "kind": "url", "url": url},
                                  format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "source_url_refused" and "url" in response.json()["fields"]


def test_only_the_organizations_organizers_add_manage_or_see_its_sources(login, apes, add_source):
    source = add_source(url="https://example.org/a.ics")
    other = login(member_of(OrganizationFactory(), Role.ORGANIZER))

    created = other.post(URL, {"organization": "apes", "kind": "url", "url": "https://example.org/b.ics"},
                         format="json")
    assert created.status_code == 403 and created.json()["fields"] == {
        "organization": ["Seuls les organisateur·rices de la structure gèrent ses agendas importés."]}
    assert other.get(URL).json()["results"] == []
    assert other.get(f"{URL}{source.pk}/").status_code == 404
    assert other.delete(f"{URL}{source.pk}/").status_code == 404
    assert login(apes.coordinator).get(URL).json()["results"] == []


def test_pause_sync_now_and_delete(organizer_api, add_source, no_broker, django_capture_on_commit_callbacks):
    source = add_source(url="https://example.org/a.ics")

    paused = organizer_api.post(f"{URL}{source.pk}/pause/", {"paused": True}, format="json")
    assert paused.status_code == 200 and paused.json()["paused"] and paused.json()["next_sync_at"] is None
    refused = organizer_api.post(f"{URL}{source.pk}/sync/")
    assert refused.status_code == 400 and "source" in refused.json()["fields"]
    organizer_api.post(f"{URL}{source.pk}/pause/", {"paused": False}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        assert organizer_api.post(f"{URL}{source.pk}/sync/").status_code == 202
    assert no_broker == [("imports.sync_source", (source.pk,))]
    assert organizer_api.delete(f"{URL}{source.pk}/").status_code == 204
    assert not Source.objects.exists()


def test_a_new_version_of_a_file_updates_its_events(organizer_api, add_source):
    source = add_source(kind="ics", upload=feed("nextcloud.ics"), upload_name="a.ics")
    services.source_sync(source_id=source.pk)
    upload = SimpleUploadedFile("a.ics", feed("nextcloud.ics", **{"Atelier réparation vélo": "Atelier vélo"}))

    response = organizer_api.post(f"{URL}{source.pk}/upload/", {"file": upload}, format="multipart")

    assert response.status_code == 200, response.json()
    assert response.json()["summary"].endswith(" 1 modifié, 1 ignoré")
    assert (response.json()["created"], response.json()["updated"]) == (0, 1)
    assert Event.objects.get(import_item__source=source).title == "Atelier vélo"


def test_changing_options_makes_the_caller_the_one_the_sync_acts_for(login, apes, add_source):
    source = add_source(url="https://example.org/a.ics")
    colleague = member_of(apes.organization, Role.ORGANIZER)

    response = login(colleague).patch(f"{URL}{source.pk}/", {"keyword": "ESS", "interval_minutes": 120},
                                      format="json")

    assert response.status_code == 200, response.json()
    source.refresh_from_db()
    assert (source.keyword, source.interval_minutes, source.owner) == ("ESS", 120, colleague)


@pytest.mark.parametrize("body, field", [
    ({"organization": "apes", "kind": "rss", "url": "https://example.org/a.ics"}, "kind"),
    ({"organization": "apes", "kind": "url", "url": "https://example.org/a.ics", "interval_minutes": 1},
     "interval_minutes"),
    ({"organization": "apes", "kind": "url", "url": "https://example.org/a.ics", "time_zone": "Mars/Base"},
     "time_zone"),
    ({"organization": "apes", "kind": "url", "url": "https://example.org/a.ics", "color": "red"}, "color"),
    ({"organization": "apes", "kind": "ics"}, "file"),
    ({"organization": "apes", "kind": "url", "url": ""}, "url"),
])
def test_bad_input_is_refused_naming_the_field(organizer_api, body, field):
    response = organizer_api.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]
    assert not Source.objects.exists()


def test_an_imported_events_source_fields_are_read_only_until_it_is_detached(
        login, apes, feed_server, add_source):
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    source = add_source(url=feed_server.url("/cal.ics"))
    services.source_sync(source_id=source.pk)
    event = Event.objects.get(import_item__source=source)
    api = login(apes.organizer)

    refused = api.patch(f"/api/v1/events/{event.pk}/", {"title": "Autre titre"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "imported_field"
    assert "title" in refused.json()["fields"]
    assert api.patch(f"/api/v1/events/{event.pk}/", {"capacity": 12}, format="json").status_code == 200

    services.item_detach(actor=apes.organizer, event=event)
    renamed = api.patch(f"/api/v1/events/{event.pk}/", {"title": "Autre titre"}, format="json")
    assert renamed.status_code == 200
    feed_server.routes["/cal.ics"] = feed("google.ics")
    services.source_sync(source_id=source.pk)
    event.refresh_from_db()
    assert (event.title, event.status) == ("Autre titre", EventStatus.PUBLISHED)


def test_the_list_costs_the_same_few_queries_however_many_sources(organizer_api, add_source,
                                                                  django_assert_max_num_queries):
    for n in range(12):
        add_source(url=f"https://example.org/{n}.ics", name=f"Agenda {n}")
    with django_assert_max_num_queries(8):
        response = organizer_api.get(URL)
    assert response.json()["count"] == 12
