"""Rows written past validation (by the admin, a migration, an old bug) never take a feed
down, never inject a line into one, and never make it write an offset RFC 3339 cannot."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events.models import Campaign, Event, EventStatus, Moderation
from feeds import publishing
from feeds.models import PublishedFeed
from feeds.tasks import publish_stale
from spaces.models import Room, Space
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

FAR = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)


def make_event(organization, **fields) -> Event:
    start = fields.pop("starts_at", timezone.now() + timedelta(days=10))
    n = Event.objects.count()
    defaults = {
        "title": f"Café métiers {n}", "slug": f"cafe-metiers-{n}", "organization": organization,
        "status": EventStatus.PUBLISHED, "starts_at": start, "ends_at": start + timedelta(hours=2),
        "address": "5 place de la République, 59000 Lille", "department": "59",
    }
    defaults.update(fields)
    return Event.objects.create(**defaults)


def force(event: Event, **fields) -> None:
    """Write past validation and signals, as a migration or a raw UPDATE would."""
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now(), **fields)
    PublishedFeed.objects.update(stale_since=timezone.now())


def summaries(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [str(v["SUMMARY"]) for v in Calendar.from_ical(response.content).walk("VEVENT")]


@pytest.fixture
def apes():
    return OrganizationFactory(slug="apes", name="APES")


def test_an_event_forced_to_year_9999_leaves_every_feed_publishing(client, apes):
    event = make_event(apes, title="Forum")
    client.get(f"/feeds/events/{event.pk}.ics")
    client.get("/feeds/events.ics")
    force(event, ends_at=FAR)

    assert publish_stale() == 2
    make_event(apes, title="Nouvel atelier")
    assert publish_stale() == 1

    assert summaries(client.get("/feeds/events.ics")) == ["Forum", "Nouvel atelier"]
    assert summaries(client.get(f"/feeds/events/{event.pk}.ics")) == ["Forum"]
    assert summaries(client.get("/feeds/organizations/apes.ics")) == ["Forum", "Nouvel atelier"]


def test_an_event_far_in_the_future_is_written_in_utc_without_years_of_time_zone_rules(client, apes):
    make_event(apes, title="Aujourd'hui")
    far = make_event(apes, title="Lointain")
    force(far, starts_at=datetime(9709, 6, 1, 8, 0, tzinfo=UTC), ends_at=FAR)

    response = client.get("/feeds/events.ics")
    calendar = Calendar.from_ical(response.content)
    vevent = next(v for v in calendar.walk("VEVENT") if str(v["SUMMARY"]) == "Lointain")
    assert vevent["DTSTART"].dt == datetime(9709, 6, 1, 8, 0, tzinfo=UTC)
    assert "TZID" not in vevent["DTSTART"].params
    assert len(response.content) < 10_000
    zones = response.content.split(b"BEGIN:VEVENT")[0]
    years = {int(year) for year in re.findall(rb"\n(?:DTSTART|RDATE):(\d{4})", zones)}
    assert years and max(years) <= timezone.now().year + 3


def test_an_event_that_cannot_be_written_is_logged_and_left_out(client, apes, caplog):
    kept = make_event(apes, title="Forum")
    broken = make_event(apes, title="Impossible", all_day=True)
    client.get("/feeds/events.ics")
    force(broken, starts_at=datetime(9999, 12, 30, 23, 0, tzinfo=UTC), ends_at=FAR)

    with caplog.at_level(logging.ERROR, logger="feeds"):
        assert publish_stale() == 1
    assert f"event {broken.pk} cannot be written" in caplog.text
    assert summaries(client.get("/feeds/events.ics")) == [kept.title]
    assert client.get(f"/feeds/events/{broken.pk}.ics").status_code == 200


def test_a_feed_that_fails_to_build_keeps_its_last_bytes_and_the_others_publish(client, apes, monkeypatch,
                                                                               caplog):
    make_event(apes, title="Forum")
    before = client.get("/feeds/organizations/apes.ics")
    client.get("/feeds/events.ics")
    original = publishing.SOURCES["organization"]

    def failing(slug):
        raise RuntimeError("broken source")

    monkeypatch.setitem(publishing.SOURCES, "organization", failing)
    make_event(apes, title="Nouvel atelier")
    with caplog.at_level(logging.ERROR, logger="feeds"):
        assert publish_stale() == 1  # the agenda; the organization's feed failed
    assert "organization:apes could not be built" in caplog.text
    assert publish_stale() == 0  # a failed feed is tried once per run, not in a loop
    assert summaries(client.get("/feeds/events.ics")) == ["Forum", "Nouvel atelier"]
    again = client.get("/feeds/organizations/apes.ics")
    assert again.content == before.content
    assert PublishedFeed.objects.get(key="organization:apes").stale_since is not None

    never_published = client.get("/feeds/organizations/other.ics")
    assert never_published.status_code == 503
    assert never_published["Retry-After"]

    monkeypatch.setitem(publishing.SOURCES, "organization", original)
    assert publish_stale() == 1
    assert summaries(client.get("/feeds/organizations/apes.ics")) == ["Forum", "Nouvel atelier"]


def test_an_event_before_1911_is_written_without_local_mean_time(client, apes):
    old = make_event(apes, title="Exposition universelle")
    force(old, starts_at=datetime(1900, 4, 15, 9, 0, tzinfo=UTC),
          ends_at=datetime(1900, 4, 15, 17, 0, tzinfo=UTC))
    body = client.get(f"/feeds/events/{old.pk}.ics").content
    vevent = Calendar.from_ical(body).walk("VEVENT")[0]
    assert vevent["DTSTART"].dt == datetime(1900, 4, 15, 9, 0, tzinfo=UTC)
    assert b"0921" not in body
    assert not re.search(rb"TZOFFSET(?:FROM|TO):[+-]\d{6}", body)


def test_line_breaks_in_names_never_inject_a_line_into_any_feed(client):
    organization = OrganizationFactory(slug="squat", name="Squat\rBEGIN:VEVENT\rSUMMARY:Faux")
    campaign = Campaign.objects.create(title="Mois\nBEGIN:VEVENT", slug="mois", label="Label\r\nX",
                                       description="Texte\r\nEND:VCALENDAR",
                                       starts_on=timezone.localdate(),
                                       ends_on=timezone.localdate() + timedelta(days=30))
    space = Space.objects.create(name="Tiers-lieu\rSUMMARY:Faux", slug="tiers-lieu", address="Lille",
                                 operator=organization)
    room = Room.objects.create(space=space, name="Salle\r\nLOCATION:Ailleurs", slug="salle", capacity=10)
    event = make_event(organization, campaign=campaign, moderation=Moderation.APPROVED, room=room,
                       address="")
    force(event, title="Titre\rBEGIN:VEVENT\n")

    for path in ["/feeds/events.ics", "/feeds/organizations/squat.ics", "/feeds/campaigns/mois.ics",
                 "/feeds/spaces/tiers-lieu.ics", f"/feeds/events/{event.pk}.ics"]:
        body = client.get(path).content
        # What a client splitting lines on CR, LF or both reads.
        lines = re.split(rb"\r\n|\r|\n", body)
        assert lines.count(b"BEGIN:VEVENT") == 1, path
        assert not any(line.startswith((b"SUMMARY:Faux", b"LOCATION:Ailleurs", b"END:VCALENDAR X"))
                       for line in lines), path
        assert b"\x00" not in body
        calendar = Calendar.from_ical(body)
        assert "\r" not in str(calendar["X-WR-CALNAME"]) and "\n" not in str(calendar["X-WR-CALNAME"])
    [vevent] = Calendar.from_ical(client.get(f"/feeds/events/{event.pk}.ics").content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Titre BEGIN:VEVENT"
    assert str(vevent["LOCATION"]).startswith("Tiers-lieu SUMMARY:Faux — Salle LOCATION:Ailleurs")
