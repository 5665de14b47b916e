"""Co-organization is consented: naming an organization only asks it, and a room is booked
through the caller's own roles, never through a co-organizer the caller named."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from events import services
from events.models import CoOrganization, CoOrganizationStatus, Event, EventStatus
from feeds.tasks import publish_stale
from network.models import Role
from tests.events.conftest import event_payload
from tests.events.factories import EventFactory, RoomFactory, co_organize, in_days
from tests.factories import OrganizationFactory, PersonFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db


def feed_uids(client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return {str(v["UID"]) for v in Calendar.from_ical(response.content).walk("VEVENT")}


def listed(client, **filters) -> list[int]:
    return [e["id"] for e in client.get("/api/v1/events/", filters).json()["results"]]


def test_a_stranger_cannot_book_a_space_room_by_naming_its_operator_co_organizer(login):
    mutualab = OrganizationFactory(slug="mutualab", name="Mutualab")
    room = RoomFactory(space__operator=mutualab, space__slug="mutualab")
    mutualab_organizer = member_of(mutualab, Role.ORGANIZER)
    stranger = login(PersonFactory())
    created = stranger.post("/api/v1/organizations/", {"name": "Squat", "kind": "association"},
                            format="json")
    assert created.status_code == 201, created.json()
    slot = {"starts_at": in_days(10).isoformat(), "ends_at": in_days(10, 21).isoformat(),
            "title": "Réunion", "status": "published", "room": room.id}

    squat = stranger.post("/api/v1/events/", {**slot, "organization": created.json()["slug"],
                                              "co_organizers": ["mutualab"]}, format="json")

    assert squat.status_code == 409, squat.json()
    assert squat.json()["code"] == "room_not_bookable"
    assert "room" in squat.json()["fields"]
    assert not Event.objects.exists()
    assert not CoOrganization.objects.exists()
    assert not Message.objects.exists()
    own = login(mutualab_organizer).post("/api/v1/events/", {**slot, "organization": "mutualab"},
                                         format="json")
    assert own.status_code == 201, own.json()
    assert feed_uids(stranger, "/feeds/spaces/mutualab.ics") == {f"event-{own.json()['id']}@127.0.0.1"}


def test_a_named_co_organizer_is_asked_by_email_and_has_no_rights_until_it_accepts(login, api, world):
    invited_admin = member_of(world.outsider_org, Role.ADMIN)
    created = login(world.organizer).post("/api/v1/events/", event_payload(
        world, co_organizers=[world.outsider_org.slug], status="draft"), format="json")
    assert created.status_code == 201, created.json()
    event_id = created.json()["id"]

    requests = Message.objects.filter(kind="co_organization_request")
    assert {m.to for m in requests} == {world.outsider.email, invited_admin.email}
    assert world.lead.name in requests.first().body_text
    assert "/mes-evenements/co-organisation/" in requests.first().body_text
    invited = login(world.outsider)
    assert invited.get(f"/api/v1/events/{event_id}/").status_code == 404  # a draft of someone else
    assert invited.patch(f"/api/v1/events/{event_id}/", {"title": "Pris"}, format="json").status_code == 404
    Event.objects.filter(pk=event_id).update(status=EventStatus.PUBLISHED)
    assert invited.patch(f"/api/v1/events/{event_id}/", {"title": "Pris"}, format="json").status_code == 403
    assert invited.get(f"/api/v1/events/{event_id}/").json()["can_edit"] is False
    # Its organizers see the request; the lead's organizers see it pending; others see neither.
    mine = invited.get("/api/v1/co-organizations/").json()["results"]
    assert [(r["event"]["id"], r["status"]) for r in mine] == [(event_id, "pending")]
    others = login(world.co_organizer).get("/api/v1/co-organizations/").json()["results"]
    assert event_id not in [r["event"]["id"] for r in others]
    lead_view = login(world.organizer).get(f"/api/v1/events/{event_id}/").json()
    assert lead_view["co_organizers"] == []
    assert [r["status"] for r in lead_view["co_organization_requests"]] == ["pending"]
    assert "co_organization_requests" not in api.get(f"/api/v1/events/{event_id}/").json()


def test_a_pending_co_organizer_is_absent_from_feeds_and_filters_and_appears_once_it_accepts(
        login, api, world):
    event = EventFactory(organization=world.lead, title="Forum de l'emploi solidaire")
    services.co_organizers_request(actor=world.organizer, event=event, organizations=[world.outsider_org])
    uid = f"event-{event.pk}@127.0.0.1"
    feed = f"/feeds/organizations/{world.outsider_org.slug}.ics"
    assert uid not in feed_uids(api, feed)
    assert event.pk not in listed(api, organization=world.outsider_org.slug)
    assert uid not in feed_uids(api, f"/feeds/events.ics?organization={world.outsider_org.slug}")
    request = CoOrganization.objects.get(event=event)

    accepted = login(world.outsider).post(f"/api/v1/co-organizations/{request.pk}/accept/")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    publish_stale()
    assert uid in feed_uids(api, feed)
    assert event.pk in listed(api, organization=world.outsider_org.slug)
    assert [o["slug"] for o in api.get(f"/api/v1/events/{event.pk}/").json()["co_organizers"]] == [
        world.outsider_org.slug]
    edited = login(world.outsider).patch(f"/api/v1/events/{event.pk}/", {"title": "Forum 2"}, format="json")
    assert edited.status_code == 200, edited.json()
    told = Message.objects.filter(kind="co_organization_decision")
    assert {m.to for m in told} == {world.organizer.email, world.lead_admin.email}
    assert "accepte" in told.first().body_text


def test_declining_removes_the_co_organizer_everywhere_and_tells_the_lead(login, api, world):
    feed = f"/feeds/organizations/{world.partner.slug}.ics"
    uid = f"event-{world.event.pk}@127.0.0.1"
    assert uid in feed_uids(api, feed)
    request = CoOrganization.objects.get(event=world.event, organization=world.partner)

    declined = login(world.co_organizer).post(f"/api/v1/co-organizations/{request.pk}/decline/")

    assert declined.status_code == 200, declined.json()
    assert declined.json()["status"] == "declined"
    assert list(world.event.co_organizers.all()) == []
    publish_stale()
    assert uid not in feed_uids(api, feed)
    assert world.event.pk not in listed(api, organization=world.partner.slug)
    refused = login(world.co_organizer).patch(f"/api/v1/events/{world.event.id}/", {"title": "X"},
                                              format="json")
    assert refused.status_code == 403
    told = Message.objects.filter(kind="co_organization_decision")
    assert {m.to for m in told} == {world.organizer.email, world.lead_admin.email}
    assert "décline" in told.first().body_text
    # A declined request is answered: accepting it now would overrule the lead.
    again = login(world.co_organizer).post(f"/api/v1/co-organizations/{request.pk}/accept/")
    assert again.status_code == 409
    assert again.json()["code"] == "co_organization_not_pending"


def test_only_the_invited_organizations_people_answer(login, world):
    request = co_organize(world.event, world.outsider_org, CoOrganizationStatus.PENDING)
    for person in (world.organizer, world.lead_admin, world.co_organizer, world.space_manager):
        response = login(person).post(f"/api/v1/co-organizations/{request.pk}/accept/")
        assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == CoOrganizationStatus.PENDING
    assert world.outsider_org not in world.event.co_organizers.all()


def test_naming_an_organization_the_caller_organizes_for_accepts_at_once(login, world):
    world.organizer.memberships.create(organization=world.outsider_org, role=Role.ORGANIZER)
    response = login(world.organizer).post("/api/v1/events/", event_payload(
        world, co_organizers=[world.outsider_org.slug]), format="json")
    assert [o["slug"] for o in response.json()["co_organizers"]] == [world.outsider_org.slug]
    assert not Message.objects.filter(kind="co_organization_request").exists()


def test_leaving_an_organization_out_withdraws_its_request_and_naming_it_again_asks_again(login, world):
    client = login(world.organizer)
    url = f"/api/v1/events/{world.event.id}/"
    client.patch(url, {"co_organizers": [world.partner.slug, world.outsider_org.slug]}, format="json")
    assert CoOrganization.objects.get(organization=world.outsider_org).status == "pending"
    client.patch(url, {"co_organizers": [world.partner.slug]}, format="json")
    assert not CoOrganization.objects.filter(organization=world.outsider_org).exists()
    request = CoOrganization.objects.get(organization=world.partner)
    login(world.co_organizer).post(f"/api/v1/co-organizations/{request.pk}/decline/")

    kept = client.patch(url, {"title": "Forum"}, format="json").json()
    assert [r["status"] for r in kept["co_organization_requests"]] == ["declined"]
    asked_again = client.patch(url, {"co_organizers": [world.partner.slug]}, format="json").json()
    assert [r["status"] for r in asked_again["co_organization_requests"]] == ["pending"]
    assert Message.objects.filter(kind="co_organization_request", to=world.co_organizer.email).count() == 1


def test_a_series_asks_once_and_one_answer_holds_for_its_coming_dates(login, world):
    response = login(world.organizer).post("/api/v1/series/", event_payload(
        world, rrule="FREQ=WEEKLY;COUNT=4", co_organizers=[world.outsider_org.slug]), format="json")
    assert response.status_code == 201, response.json()
    assert Message.objects.filter(kind="co_organization_request").count() == 1
    requests = CoOrganization.objects.filter(organization=world.outsider_org)
    assert requests.count() == 4

    login(world.outsider).post(f"/api/v1/co-organizations/{requests.last().pk}/accept/")

    assert set(requests.values_list("status", flat=True)) == {"accepted"}
    dates = Event.objects.filter(series_id=response.json()["id"])
    assert dates.filter(co_organizers=world.outsider_org).count() == 4
    assert Message.objects.filter(kind="co_organization_decision", to=world.organizer.email).count() == 1
