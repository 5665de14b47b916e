from __future__ import annotations

import pytest

from feeds import publishing
from feeds.models import CalendarToken
from feeds.publishing import FeedContent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_person_source(monkeypatch):
    monkeypatch.setitem(
        publishing.SOURCES, "person",
        lambda pk: FeedContent(name="Mon agenda", description="", vevents=[]),
    )


def test_private_feed_url_works_and_rotation_kills_the_old_one(login, person, client):
    api = login(person)
    first = api.post("/api/v1/me/private-feed/")
    assert first.status_code == 201
    links = first.json()
    assert links["webcal_url"].startswith("webcal://")
    assert "calendar.google.com" in links["google_calendar_url"]
    old_path = links["feed_url"].split("://", 1)[1].split("/", 1)[1]
    response = client.get(f"/{old_path}")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")

    second = api.post("/api/v1/me/private-feed/").json()
    assert client.get(f"/{old_path}").status_code == 404
    new_path = second["feed_url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{new_path}").status_code == 200


def test_only_a_digest_of_the_token_is_stored(login, person):
    links = login(person).post("/api/v1/me/private-feed/").json()
    token = links["feed_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 256 bits in URL-safe base64
    stored = CalendarToken.objects.get(person=person)
    assert token not in stored.digest


def test_revoked_feed_answers_404(login, person, client):
    api = login(person)
    links = api.post("/api/v1/me/private-feed/").json()
    path = "/" + links["feed_url"].split("://", 1)[1].split("/", 1)[1]
    assert api.delete("/api/v1/me/private-feed/").status_code == 204
    assert client.get(path).status_code == 404


def test_private_feed_needs_an_account(api):
    assert api.post("/api/v1/me/private-feed/").status_code == 401

