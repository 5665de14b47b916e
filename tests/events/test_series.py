"""Recurring series: RRULE checks, local time across DST, each date its own event, future-only edits."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from events import services
from events.models import Event, EventStatus, Series
from tests.events.conftest import event_payload

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def create_series(client, world, rrule, starts_at, hours=2, **extra):
    return client.post("/api/v1/series/", event_payload(
        world, rrule=rrule, starts_at=starts_at.isoformat(),
        ends_at=(starts_at + timedelta(hours=hours)).isoformat(), **extra), format="json")


def test_weekly_series_at_18_30_keeps_18_30_across_the_last_sunday_of_october(login, world):
    first = datetime(2027, 10, 21, 18, 30, tzinfo=PARIS)  # clocks go back on Sunday 31 October 2027
    response = create_series(login(world.organizer), world, "FREQ=WEEKLY;COUNT=3", first)
    assert response.status_code == 201, response.json()
    events = Event.objects.filter(series_id=response.json()["id"]).order_by("starts_at")
    local = [e.starts_at.astimezone(PARIS) for e in events]
    assert [(d.day, d.hour, d.minute) for d in local] == [(21, 18, 30), (28, 18, 30), (4, 18, 30)]
    assert [e.starts_at.astimezone(zoneinfo.ZoneInfo("UTC")).hour for e in events] == [16, 16, 17]
    assert all(e.ends_at - e.starts_at == timedelta(hours=2) for e in events)
    assert len({e.slug for e in events}) == 3


def test_each_date_is_its_own_event_with_its_own_registrations(login, world):
    first = timezone.localtime() + timedelta(days=3)
    response = create_series(login(world.organizer), world, "RRULE:FREQ=MONTHLY;COUNT=3", first, capacity=1)
    one, two, _three = Event.objects.filter(series_id=response.json()["id"]).order_by("starts_at")
    services.registration_create(event=one, name="A", email="a@example.org")
    assert services.registration_create(event=two, name="A", email="a@example.org").status == "confirmed"


@pytest.mark.parametrize(("rrule", "needle"), [
    ("FREQ=WEEKLY", "COUNT ou UNTIL"),
    ("FREQ=DAILY;COUNT=201", "plus de 200"),
    ("FREQ=DAILY;UNTIL=20990101", "plus de 200"),
    ("FREQ=HOURLY;COUNT=3", "FREQ=DAILY"),
    ("FREQ=SOMETIMES;COUNT=3", "FREQ=DAILY"),
    ("FREQ=WEEKLY;COUNT=3;BYDAY=XX", "invalide"),
    ("FREQ=WEEKLY;COUNT=3\nDTSTART:20270101T000000", "invalide"),
    ("", "vide"),
])
def test_bad_rules_are_refused_naming_rrule_and_write_nothing(login, world, rrule, needle):
    response = create_series(login(world.organizer), world, rrule, timezone.localtime() + timedelta(days=1))
    assert response.status_code == 400, response.json()
    assert "rrule" in response.json()["fields"]
    assert needle in response.json()["fields"]["rrule"][0]
    assert not Series.objects.exists()
    assert Event.objects.count() == 1  # the world's own event


def test_until_in_utc_or_local_time_both_end_the_rule():
    first = datetime(2027, 1, 7, 18, 30, tzinfo=PARIS)
    utc = services.recurrence_dates(rrule="FREQ=WEEKLY;UNTIL=20270121T235959Z", starts_at=first,
                                    time_zone="Europe/Paris")
    floating = services.recurrence_dates(rrule="FREQ=WEEKLY;UNTIL=20270121", starts_at=first,
                                         time_zone="Europe/Paris")
    assert len(utc) == len(floating) == 3
    assert all(d.tzinfo is not None for d in floating)


def test_editing_the_series_changes_future_dates_only_and_keeps_moved_and_cancelled_dates(login, world):
    client = login(world.organizer)
    # Two dates in the past, the third tomorrow at noon: no time shift below crosses midnight.
    first = (timezone.localtime() - timedelta(days=13)).replace(hour=12, minute=0, second=0, microsecond=0)
    response = create_series(client, world, "FREQ=WEEKLY;COUNT=5", first)
    series_id = response.json()["id"]
    past1, past2, near, moved, cancelled = Event.objects.filter(series_id=series_id).order_by("starts_at")
    moved_to = moved.starts_at + timedelta(hours=3)
    assert client.patch(f"/api/v1/events/{moved.id}/", {
        "starts_at": moved_to.isoformat(), "ends_at": (moved_to + timedelta(hours=1)).isoformat()},
        format="json").status_code == 200
    assert client.post(f"/api/v1/events/{cancelled.id}/cancel/", {"reason": "Férié"},
                       format="json").status_code == 200

    later = first + timedelta(minutes=30)
    response = client.patch(f"/api/v1/series/{series_id}/", {
        "title": "Café métiers du numérique", "starts_at": later.isoformat(),
        "ends_at": (later + timedelta(hours=2)).isoformat()}, format="json")
    assert response.status_code == 200, response.json()

    def state(event):
        event.refresh_from_db()
        return event.title, event.starts_at, event.status

    assert state(past1)[:2] == ("Café métiers de l'ESS", first)
    assert state(past2)[:2] == ("Café métiers de l'ESS", first + timedelta(days=7))
    assert state(near)[:2] == ("Café métiers du numérique", later + timedelta(days=14))
    assert state(moved)[:2] == ("Café métiers du numérique", moved_to)
    assert state(cancelled)[::2] == ("Café métiers de l'ESS", EventStatus.CANCELLED)
    assert near.sequence == 1


def test_shortening_the_rule_cancels_the_published_dates_it_drops(login, world):
    client = login(world.organizer)
    response = create_series(client, world, "FREQ=WEEKLY;COUNT=3", timezone.localtime() + timedelta(days=1))
    series_id = response.json()["id"]
    assert client.patch(f"/api/v1/series/{series_id}/", {"rrule": "FREQ=WEEKLY;COUNT=4"},
                        format="json").json()["events"].__len__() == 4
    response = client.patch(f"/api/v1/series/{series_id}/", {"rrule": "FREQ=WEEKLY;COUNT=2"}, format="json")
    assert [e["status"] for e in response.json()["events"]] == ["published", "published", "cancelled",
                                                                "cancelled"]


def test_an_outsider_cannot_edit_a_series(login, world):
    response = create_series(login(world.organizer), world, "FREQ=WEEKLY;COUNT=2",
                             timezone.localtime() + timedelta(days=1))
    patch = login(world.outsider).patch(f"/api/v1/series/{response.json()['id']}/", {"title": "X"},
                                        format="json")
    assert patch.status_code == 403
    assert not Event.objects.filter(title="X").exists()


def test_a_series_clashing_with_a_booked_room_on_one_date_writes_nothing(login, world):
    first = (timezone.localtime() + timedelta(days=2)).replace(hour=18, minute=30, second=0, microsecond=0)
    Event.objects.create(organization=world.lead, title="Assemblée générale", slug="ag", room=world.room,
                         status="published", starts_at=first + timedelta(days=14, hours=1),
                         ends_at=first + timedelta(days=14, hours=3))
    response = create_series(login(world.organizer), world, "FREQ=WEEKLY;COUNT=4", first, room=world.room.id)
    assert response.status_code == 409
    assert "Assemblée générale" in response.json()["fields"]["room"][0]
    assert not Series.objects.exists()
    assert not Event.objects.filter(series__isnull=False).exists()


def test_one_date_can_move_to_another_room(login, world):
    client = login(world.organizer)
    response = create_series(client, world, "FREQ=WEEKLY;COUNT=3", timezone.localtime() + timedelta(days=1))
    second = Event.objects.filter(series_id=response.json()["id"]).order_by("starts_at")[1]
    moved = client.patch(f"/api/v1/events/{second.id}/", {"room": world.room.id}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["room"]["id"], moved.json()["sequence"]) == (world.room.id, 1)
    assert Event.objects.filter(series_id=response.json()["id"], room=world.room).count() == 1


def test_a_series_in_another_time_zone_keeps_its_own_local_time(login, world):
    cayenne = zoneinfo.ZoneInfo("America/Cayenne")
    first = datetime(2027, 3, 20, 9, 0, tzinfo=cayenne)
    response = create_series(login(world.organizer), world, "FREQ=WEEKLY;COUNT=3", first,
                             time_zone="America/Cayenne")
    assert response.status_code == 201, response.json()
    starts = [e["starts_at"] for e in response.json()["events"]]
    assert [s.astimezone(cayenne).hour for s in map(datetime.fromisoformat, starts)] == [9, 9, 9]
    event_id = response.json()["events"][0]["id"]
    assert login(world.organizer).get(f"/api/v1/events/{event_id}/").json()["starts_at"] \
        == "2027-03-20T09:00:00-03:00"
