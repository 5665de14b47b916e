"""A small world: a lead organization, a co-organizer, an outsider, a coordinating CRESS
and a space operated by the lead organization."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from events.models import Campaign, Event
from network.models import Organization, Person, Role
from spaces.models import Room
from tests.events.factories import CampaignFactory, EventFactory, RoomFactory, co_organize, in_days
from tests.factories import OrganizationFactory, member_of


@dataclass
class World:
    lead: Organization
    partner: Organization
    outsider_org: Organization
    cress: Organization
    organizer: Person
    co_organizer: Person
    outsider: Person
    coordinator: Person
    space_manager: Person
    lead_admin: Person
    room: Room
    campaign: Campaign
    event: Event


@pytest.fixture
def world(db) -> World:
    lead, partner, outsider_org = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    cress = OrganizationFactory(name="CRESS test", kind="reseau")
    room = RoomFactory(space__operator=lead)
    campaign = CampaignFactory(coordinators=[cress])
    event = EventFactory(organization=lead, title="Forum Entreprendre autrement", capacity=10)
    co_organize(event, partner)
    return World(
        lead=lead, partner=partner, outsider_org=outsider_org, cress=cress,
        organizer=member_of(lead, Role.ORGANIZER), co_organizer=member_of(partner, Role.ORGANIZER),
        outsider=member_of(outsider_org, Role.ORGANIZER), coordinator=member_of(cress, Role.COORDINATOR),
        space_manager=member_of(lead, Role.SPACE_MANAGER), lead_admin=member_of(lead, Role.ADMIN),
        room=room, campaign=campaign, event=event,
    )


def event_payload(world: World, **overrides) -> dict:
    payload = {
        "organization": world.lead.slug, "title": "Café métiers de l'ESS",
        "starts_at": in_days(10).isoformat(), "ends_at": in_days(10, 20).isoformat(),
        "format": "cafe_metiers", "status": "published",
    }
    payload.update(overrides)
    return payload
