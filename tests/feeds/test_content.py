"""What calendar clients read in Essaim's feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import recurring_ical_events
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from backend.text import one_line, paragraphs
from events.models import Campaign, Event, EventStatus, Moderation
from feeds.publishing import feed_publish
from feeds.sources import serialize_event
from feeds.tasks import publish_stale
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


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


def parse(response) -> Calendar:
    assert response.status_code == 200, response.content[:300]
    return Calendar.from_ical(response.content)


@pytest.fixture
def apes():
    return OrganizationFactory(slug="apes", name="APES")


def test_every_feed_kind_parses_with_uids_dtstamps_and_timezones(client, apes):
    partner = OrganizationFactory(slug="grands-ensemble", name="Grands Ensemble")
    campaign = Campaign.objects.create(title="Mois de l'ESS", slug="mois-ess", label="Mois de l'ESS",
                                       starts_on=timezone.localdate(),
                                       ends_on=timezone.localdate() + timedelta(days=30))
    shared = make_event(apes, campaign=campaign, moderation=Moderation.APPROVED)
    shared.co_organizers.add(partner)
    make_event(apes, time_zone="America/Martinique")
    for path in ["/feeds/events.ics", "/feeds/organizations/apes.ics",
                 "/feeds/organizations/grands-ensemble.ics", "/feeds/campaigns/mois-ess.ics",
                 f"/feeds/events/{shared.pk}.ics"]:
        calendar = parse(client.get(path))
        zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
        events = calendar.walk("VEVENT")
        assert events, path
        for vevent in events:
            assert str(vevent["UID"]).startswith("event-")
            assert vevent["DTSTAMP"].dt.tzinfo is not None
            assert vevent["DTSTART"].params["TZID"] in zones
            assert "ORGANIZER" not in vevent and "ATTENDEE" not in vevent
    co_organized = parse(client.get("/feeds/organizations/grands-ensemble.ics")).walk("VEVENT")
    assert [str(v["UID"]) for v in co_organized] == [f"event-{shared.pk}@127.0.0.1"]
    assert "Grands Ensemble" in str(co_organized[0]["DESCRIPTION"])
    assert "Mois de l'ESS" in co_organized[0]["CATEGORIES"].cats


def test_wall_time_and_zone_survive(client, apes):
    start = datetime(2026, 11, 17, 17, 30, tzinfo=UTC)  # 18:30 in Paris
    make_event(apes, starts_at=start)
    vevent = parse(client.get("/feeds/events.ics?organization=apes")).walk("VEVENT")[0]
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent["DTSTART"].dt.hour == 18 and vevent["DTSTART"].dt.minute == 30
    assert vevent["DTSTART"].dt == start


def test_drafts_are_not_in_public_feeds(client, apes):
    make_event(apes, status=EventStatus.DRAFT, title="Brouillon secret")
    assert b"Brouillon secret" not in client.get("/feeds/events.ics").content
    assert client.get("/feeds/organizations/apes.ics").status_code == 200


def test_pending_campaign_events_stay_out_of_the_campaign_feed(client, apes):
    campaign = Campaign.objects.create(title="Mois", slug="mois", starts_on=timezone.localdate(),
                                       ends_on=timezone.localdate() + timedelta(days=30))
    make_event(apes, campaign=campaign, moderation=Moderation.PENDING, title="En attente")
    make_event(apes, campaign=campaign, moderation=Moderation.APPROVED, title="Labellisé")
    summaries = [str(v["SUMMARY"]) for v in parse(client.get("/feeds/campaigns/mois.ics")).walk("VEVENT")]
    assert summaries == ["Labellisé"]


def test_an_edit_raises_sequence_and_changes_the_etag(client, apes):
    event = make_event(apes)
    first = client.get("/feeds/events.ics")
    sequence = parse(first).walk("VEVENT")[0]["SEQUENCE"]
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.sequence += 1
    event.save()
    publish_stale()
    second = client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert parse(second).walk("VEVENT")[0]["SEQUENCE"] == sequence + 1


def test_no_change_gives_the_same_bytes_and_a_304(client, apes):
    make_event(apes)
    first = client.get("/feeds/events.ics")
    publish_stale()
    feed_publish(key="events:")
    again = client.get("/feeds/events.ics")
    assert again.content == first.content
    assert client.get("/feeds/events.ics", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_cancelled_event_stays_in_the_feed_as_cancelled(client, apes):
    event = make_event(apes)
    client.get("/feeds/events.ics")
    event.status = EventStatus.CANCELLED
    event.cancel_reason = "Salle inondée"
    event.cancelled_at = timezone.now()
    event.sequence += 1
    event.save()
    publish_stale()
    vevent = parse(client.get("/feeds/events.ics")).walk("VEVENT")[0]
    assert vevent["STATUS"] == "CANCELLED"
    assert "Salle inondée" in str(vevent["DESCRIPTION"])


def test_one_edit_reserializes_only_that_event(client, apes, django_assert_max_num_queries):
    from feeds import sources

    events = [make_event(apes) for _ in range(20)]
    client.get("/feeds/events.ics")
    calls = []
    original = sources.serialize_event

    def counting(event, **kwargs):
        calls.append(event.pk)
        return original(event, **kwargs)

    sources.serialize_event = counting
    try:
        events[3].title = "Changé"
        events[3].save()
        publish_stale()
    finally:
        sources.serialize_event = original
    assert set(calls) == {events[3].pk}


def test_all_day_events_use_dates(client, apes):
    start = datetime(2026, 11, 20, 0, 0, tzinfo=UTC) - timedelta(hours=1)  # midnight in Paris
    make_event(apes, all_day=True, starts_at=start, ends_at=start + timedelta(days=1))
    vevent = parse(client.get("/feeds/events.ics")).walk("VEVENT")[0]
    assert str(vevent["DTSTART"].dt) == "2026-11-20"
    assert str(vevent["DTEND"].dt) == "2026-11-21"


def test_expanding_the_feed_gives_the_api_dates_across_dst(client, apes):
    # One VEVENT per date: any client expanding the feed sees the stored dates.
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    dates = weekly_across_next_october_change(paris)
    for n, start in enumerate(dates):
        make_event(apes, slug=f"cafe-{n}", starts_at=start)
    calendar = parse(client.get("/feeds/organizations/apes.ics"))
    expanded = recurring_ical_events.of(calendar).between(dates[0] - timedelta(days=1),
                                                          dates[-1] + timedelta(days=1))
    seen = sorted(e["DTSTART"].dt for e in expanded)
    assert seen == dates
    assert {d.astimezone(paris).strftime("%H:%M") for d in seen} == {"18:30"}


def weekly_across_next_october_change(zone) -> list[datetime]:
    """Four Tuesdays at 18:30 around the coming last Sunday of October."""
    today = timezone.localdate()
    year = today.year if today.month < 10 else today.year + 1
    last_sunday = max(datetime(year, 10, d, tzinfo=zone) for d in range(25, 32)
                      if datetime(year, 10, d).weekday() == 6)
    first = last_sunday - timedelta(days=12)  # a Tuesday two weeks before
    return [(first + timedelta(weeks=n)).replace(hour=18, minute=30) for n in range(4)]


hostile = st.text(
    alphabet=st.sampled_from(list("ab é\r\n\x00\\;,:\"'<>\t")) | st.characters(exclude_categories=("Cs",)),
    min_size=1, max_size=200,
)


@given(title=hostile, description=hostile)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_hostile_text_comes_back_as_one_vevent_with_the_same_text(title, description):
    organization = OrganizationFactory.build(name="APES", slug="apes")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    event = Event(pk=1, title=title, slug="x", description=description, organization=organization,
                  status=EventStatus.PUBLISHED, starts_at=now, ends_at=now + timedelta(hours=1),
                  created_at=now, updated_at=now, address="Lille")
    body = b"BEGIN:VCALENDAR\r\n" + serialize_event(event) + b"END:VCALENDAR\r\n"
    vevents = Calendar.from_ical(body).walk("VEVENT")
    assert len(vevents) == 1
    assert str(vevents[0]["SUMMARY"]) == one_line(title)
    assert paragraphs(description).strip() in str(vevents[0]["DESCRIPTION"])
