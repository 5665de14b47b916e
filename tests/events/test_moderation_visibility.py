"""Moderation is between an event's organizers and its campaign's coordinators: the public sees a
published event as an event of its organizers, and the campaign label once it is approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Moderation
from feeds.publishing import build_content
from network.models import Role
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import PersonFactory, member_of

pytestmark = pytest.mark.django_db

STATES = ["En attente de modération", "Refusé par la campagne"]


@pytest.fixture
def submitted(world):
    """A pending and a refused event of the lead organization, both in the campaign."""
    world.campaign.label = "Label Mois ESS"
    world.campaign.save()
    pending = EventFactory(organization=world.lead, title="Proposé", campaign=world.campaign,
                           moderation=Moderation.PENDING)
    refused = EventFactory(organization=world.lead, title="Refusé", campaign=world.campaign,
                           moderation=Moderation.REJECTED, moderation_comment="Hors période.")
    return pending, refused


def _page(client, person, event) -> str:
    if person is not None:
        client.force_login(person)
    response = client.get(reverse("web:event", args=[event.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "registrant", "outsider_organizer", "other_coordinator"])
def test_the_event_page_shows_no_moderation_state_to_the_public(client, world, submitted, who):
    pending, refused = submitted
    person = {
        "anonymous": None,
        "registrant": RegistrationFactory(event=refused, person=PersonFactory()).person,
        "outsider_organizer": world.outsider,
        "other_coordinator": member_of(world.outsider_org, Role.COORDINATOR),
    }[who]
    for event in (pending, refused):
        html = _page(client, person, event)
        assert not any(state in html for state in STATES)
        assert world.campaign.label not in html
        assert "Hors période" not in html


@pytest.mark.parametrize("who", ["organizer", "co_organizer", "coordinator"])
def test_organizers_and_the_campaigns_coordinators_see_the_state(client, world, submitted, who):
    pending, refused = submitted
    for event in (pending, refused):
        event.co_organizers.add(world.partner)
    person = getattr(world, who)
    assert "En attente de modération" in _page(client, person, pending)
    assert "Refusé par la campagne" in _page(client, person, refused)


def test_the_campaign_label_shows_to_everyone_once_approved(client, world, submitted):
    pending, _ = submitted
    pending.moderation = Moderation.APPROVED
    pending.save()
    html = _page(client, None, pending)
    assert world.campaign.label in html
    assert not any(state in html for state in STATES)


def test_the_apis_public_representation_carries_no_moderation(api, login, world, submitted):
    pending, refused = submitted
    for event in (pending, refused):
        data = api.get(f"/api/v1/events/{event.pk}/").json()
        assert "moderation" not in data and "moderation_comment" not in data
        assert data["campaign"] is None and data["label"] == ""
    listed = {e["id"]: e for e in login(world.outsider).get("/api/v1/events/").json()["results"]}
    assert all("moderation" not in e for e in listed.values())
    assert listed[refused.pk]["campaign"] is None

    mine = login(world.organizer).get(f"/api/v1/events/{refused.pk}/").json()
    assert (mine["moderation"], mine["campaign"], mine["moderation_comment"]) == (
        "rejected", world.campaign.slug, "Hors période.")
    coordinated = login(world.coordinator).get(f"/api/v1/events/{pending.pk}/").json()
    assert (coordinated["moderation"], coordinated["campaign"]) == ("pending", world.campaign.slug)


def test_approved_events_show_their_campaign_and_label_to_the_public(api, world, submitted):
    pending, _ = submitted
    pending.moderation = Moderation.APPROVED
    pending.save()
    data = api.get(f"/api/v1/events/{pending.pk}/").json()
    assert (data["campaign"], data["label"]) == (world.campaign.slug, world.campaign.label)
    assert "moderation" not in data


@pytest.mark.parametrize("state", ["pending", "rejected", "none"])
def test_the_public_cannot_list_events_by_moderation_state(api, login, client, world, submitted, state):
    for path in ("/api/v1/events/", reverse("web:agenda")):
        response = (api if path.startswith("/api") else client).get(
            path, {"moderation": state, "campaign": world.campaign.slug})
        assert response.status_code == 200
        text = response.content.decode()
        assert "Proposé" not in text and "Refusé" not in text
    assert login(world.outsider).get("/api/v1/events/", {"moderation": state}).json()["count"] == 0
    expected = {"pending": 1, "rejected": 1, "none": 1}[state]
    assert login(world.organizer).get("/api/v1/events/", {"moderation": state}).json()["count"] == expected
    if state != "none":
        found = login(world.coordinator).get("/api/v1/events/", {"moderation": state}).json()
        assert found["count"] == 1


def test_feeds_show_no_moderation_state_to_the_public(client, world, submitted):
    pending, refused = submitted
    registrant = RegistrationFactory(event=pending, person=PersonFactory()).person
    for key in (f"event:{pending.pk}", f"event:{refused.pk}", f"organization:{world.lead.slug}",
                "events:"):
        document = build_content(key).document().decode()
        assert "TENTATIVE" not in document
        assert world.campaign.label not in document
    assert build_content(f"campaign:{world.campaign.slug}").vevents == []
    # A registrant's private feed shows the event as confirmed; its organizer's, as tentative.
    assert "STATUS:TENTATIVE" not in build_content(f"person:{registrant.pk}").document().decode()
    assert "STATUS:TENTATIVE" in build_content(f"person:{world.organizer.pk}").document().decode()
