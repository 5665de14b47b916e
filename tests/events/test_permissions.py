"""Every write checks the caller's role on that very object: a matrix of roles × writes."""

from __future__ import annotations

import pytest

from events import services
from events.models import Event, Moderation
from network.models import Role
from tests.events.conftest import event_payload
from tests.events.factories import CampaignFactory, in_days
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ROLES = ["organizer", "lead_admin", "co_organizer", "outsider", "coordinator", "space_manager", "anonymous"]
ORGANIZERS = {"organizer", "lead_admin", "co_organizer"}


def _update(client, world):
    return client.patch(f"/api/v1/events/{world.event.id}/", {"title": "Nouveau titre"}, format="json")


def _cancel(client, world):
    return client.post(f"/api/v1/events/{world.event.id}/cancel/", {"reason": "Grève"}, format="json")


def _approve(client, world):
    return client.post(f"/api/v1/events/{world.event.id}/approve/", {"comment": "Bravo"}, format="json")


def _list_registrations(client, world):
    return client.get(f"/api/v1/events/{world.event.id}/registrations/")


def _export(client, world):
    return client.get(f"/api/v1/events/{world.event.id}/registrations/export/")


def _create_for_lead(client, world):
    return client.post("/api/v1/events/", event_payload(world), format="json")


def _cancel_someone_elses_registration(client, world):
    return client.delete(f"/api/v1/registrations/{world.registration.id}/")


def _edit_campaign(client, world):
    return client.patch(f"/api/v1/campaigns/{world.campaign.slug}/", {"label": "Label"}, format="json")


# write → (allowed roles, status when allowed, status for a signed-in person without the role)
WRITES = {
    _update: (ORGANIZERS, 200, 403),
    _cancel: (ORGANIZERS, 200, 403),
    _approve: ({"coordinator"}, 200, 403),
    _list_registrations: (ORGANIZERS, 200, 403),
    _export: (ORGANIZERS, 200, 403),
    _create_for_lead: ({"organizer", "lead_admin"}, 201, 403),
    _cancel_someone_elses_registration: (ORGANIZERS, 204, 404),
    _edit_campaign: ({"coordinator"}, 200, 403),
}


@pytest.mark.parametrize("write", list(WRITES), ids=[w.__name__.strip("_") for w in WRITES])
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(login, api, world, role, write):
    Event.objects.filter(pk=world.event.pk).update(campaign=world.campaign, moderation=Moderation.PENDING)
    world.event.refresh_from_db()
    world.registration = services.registration_create(event=world.event, person=PersonFactory())
    before = Event.objects.values().get(pk=world.event.pk)
    client = api if role == "anonymous" else login(getattr(world, role))

    response = write(client, world)

    allowed, ok_status, refused_status = WRITES[write]
    if role in allowed:
        assert response.status_code == ok_status, response.content
    elif role == "anonymous":
        assert response.status_code == 401, response.content
    else:
        assert response.status_code == refused_status, response.content
        assert Event.objects.values().get(pk=world.event.pk) == before
        assert Event.objects.count() == 1


def test_a_coordinator_of_another_campaign_cannot_moderate(login, world):
    other_campaign = CampaignFactory()
    Event.objects.filter(pk=world.event.pk).update(campaign=other_campaign, moderation=Moderation.PENDING)
    response = login(world.coordinator).post(f"/api/v1/events/{world.event.id}/approve/", {}, format="json")
    assert response.status_code == 403
    assert Event.objects.get(pk=world.event.pk).moderation == Moderation.PENDING


def test_rooms_are_bookable_by_the_operator_and_its_own_people_never_through_a_named_co_organizer(
        login, world):
    alone = login(world.co_organizer).post("/api/v1/events/", event_payload(
        world, organization=world.partner.slug, room=world.room.id), format="json")
    assert alone.status_code == 409
    assert alone.json()["code"] == "room_not_bookable"
    assert "room" in alone.json()["fields"]
    naming_the_operator = login(world.co_organizer).post("/api/v1/events/", event_payload(
        world, organization=world.partner.slug, room=world.room.id, co_organizers=[world.lead.slug]),
        format="json")
    assert naming_the_operator.status_code == 409
    assert naming_the_operator.json()["code"] == "room_not_bookable"
    # The operator's own people book it for any event they organize, their space manager too.
    world.co_organizer.memberships.create(organization=world.lead, role=Role.ORGANIZER)
    for person, day in ((world.co_organizer, 11), (world.space_manager, 12)):
        if person is world.space_manager:
            person.memberships.create(organization=world.partner, role=Role.ORGANIZER)
        own_roles = login(person).post("/api/v1/events/", event_payload(
            world, organization=world.partner.slug, room=world.room.id,
            starts_at=in_days(day).isoformat(), ends_at=in_days(day, 20).isoformat()), format="json")
        assert own_roles.status_code == 201, own_roles.json()
