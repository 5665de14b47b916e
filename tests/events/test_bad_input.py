"""Bad input answers 400 or 409 naming the field or the rule, and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from tests.events.conftest import event_payload
from tests.events.factories import EventFactory, in_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("overrides", "status", "field"), [
    ({"ends_at": in_days(10, 17).isoformat()}, 400, "ends_at"),
    ({"time_zone": "Europe/Lile"}, 400, "time_zone"),
    ({"time_zone": "../../etc/passwd"}, 400, "time_zone"),
    ({"capacity": -1}, 400, "capacity"),
    ({"room": 999999}, 400, "room"),
    ({"organization": "inconnue"}, 400, "organization"),
    ({"co_organizers": ["inconnue"]}, 400, "co_organizers"),
    ({"themes": ["astrologie"]}, 400, "themes"),
    ({"campaign": "inconnue"}, 400, "campaign"),
    ({"format": "rave"}, 400, "format"),
    ({"status": "cancelled"}, 400, "status"),
    ({"title": "x" * 201}, 400, "title"),
    ({"description": "x" * 10_001}, 400, "description"),
    ({"latitude": 91, "longitude": 2}, 400, "latitude"),
    ({"latitude": 50.6}, 400, "longitude"),
    ({"address": "1 rue de Paris", "room": "ROOM"}, 400, "address"),
    ({"registration_opens_at": in_days(2).isoformat(), "registration_closes_at": in_days(1).isoformat()},
     400, "registration_closes_at"),
    ({"starts_at": "demain"}, 400, "starts_at"),
    ({"colour": "red"}, 400, "colour"),
])
def test_bad_event_input_is_named_and_nothing_is_written(login, world, overrides, status, field):
    if overrides.get("room") == "ROOM":
        overrides["room"] = world.room.id
    response = login(world.organizer).post("/api/v1/events/", event_payload(world, **overrides),
                                           format="json")
    assert response.status_code == status, response.json()
    assert field in response.json()["fields"], response.json()
    assert Event.objects.count() == 1


def test_organizer_of_another_structure_cannot_create_for_it(login, world):
    response = login(world.outsider).post("/api/v1/events/", event_payload(world), format="json")
    assert response.status_code == 403
    assert response.json()["fields"] == {"organization": [response.json()["detail"]]}


def test_a_taken_room_is_refused_naming_the_other_event(login, world):
    EventFactory(organization=world.lead, room=world.room, title="Assemblée générale",
                 starts_at=in_days(10, 17), ends_at=in_days(10, 19))
    response = login(world.organizer).post("/api/v1/events/", event_payload(world, room=world.room.id),
                                           format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "room_taken"
    assert "Assemblée générale" in response.json()["fields"]["room"][0]
    assert Event.objects.count() == 2


def test_a_cancelled_event_frees_its_room(login, world):
    EventFactory(organization=world.lead, room=world.room, starts_at=in_days(10, 17),
                 ends_at=in_days(10, 19), status="cancelled", cancel_reason="Reporté")
    response = login(world.organizer).post("/api/v1/events/", event_payload(world, room=world.room.id),
                                           format="json")
    assert response.status_code == 201, response.json()


def test_moving_an_event_onto_a_booked_slot_changes_nothing(login, world):
    EventFactory(organization=world.lead, room=world.room, title="Assemblée générale",
                 starts_at=in_days(20, 9), ends_at=in_days(20, 12))
    mine = EventFactory(organization=world.lead, room=world.room, title="Le mien", starts_at=in_days(21, 9),
                        ends_at=in_days(21, 12))
    response = login(world.organizer).patch(f"/api/v1/events/{mine.id}/", {
        "starts_at": in_days(20, 11).isoformat(), "ends_at": in_days(20, 13).isoformat(),
        "title": "Déplacé"}, format="json")
    assert response.status_code == 409
    mine.refresh_from_db()
    assert (mine.title, mine.starts_at, mine.sequence) == ("Le mien", in_days(21, 9), 0)


def test_submission_outside_the_campaign_window_or_period_is_refused(login, world):
    world.campaign.submissions_close_on = timezone.localdate() - timedelta(days=1)
    world.campaign.save()
    closed = login(world.organizer).post("/api/v1/events/", event_payload(
        world, campaign=world.campaign.slug), format="json")
    assert (closed.status_code, closed.json()["code"]) == (409, "submissions_closed")
    world.campaign.submissions_close_on = None
    world.campaign.save()
    late = in_days(90)
    outside = login(world.organizer).post("/api/v1/events/", event_payload(
        world, campaign=world.campaign.slug, starts_at=late.isoformat(),
        ends_at=(late + timedelta(hours=1)).isoformat()), format="json")
    assert outside.status_code == 400
    assert "starts_at" in outside.json()["fields"]
    assert Event.objects.count() == 1


def test_campaign_ending_before_it_starts_is_refused(login, world):
    response = login(world.coordinator).post("/api/v1/campaigns/", {
        "title": "Mois", "coordinators": [world.cress.slug], "starts_on": "2027-11-30",
        "ends_on": "2027-11-01"}, format="json")
    assert response.status_code == 400
    assert "ends_on" in response.json()["fields"]


def test_all_day_events_run_from_local_midnight_to_midnight(login, world):
    response = login(world.organizer).post("/api/v1/events/", event_payload(
        world, all_day=True, starts_at="2027-11-18T10:00:00+01:00", ends_at="2027-11-19T16:00:00+01:00"),
        format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["starts_at"], response.json()["ends_at"]) == (
        "2027-11-18T00:00:00+01:00", "2027-11-20T00:00:00+01:00")
