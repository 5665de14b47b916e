"""Creating, editing, listing and moderating events through the API."""

from __future__ import annotations

import pytest

from events.models import Event, EventStatus, Moderation, Theme
from tests.events.conftest import event_payload
from tests.events.factories import EventFactory, RegistrationFactory, in_days
from worker.models import Message

pytestmark = pytest.mark.django_db


def test_organizer_creates_an_event_in_their_room_inviting_a_co_organizer(login, world):
    response = login(world.organizer).post("/api/v1/events/", event_payload(
        world, room=world.room.id, co_organizers=[world.partner.slug], themes=["insertion", "culture"],
        description="<script>alert(1)</script> atelier", capacity=30), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"]["slug"] == world.lead.slug
    # Invited, not yet a co-organizer: it has to accept first.
    assert body["co_organizers"] == []
    assert [(r["organization"]["slug"], r["status"]) for r in body["co_organization_requests"]] == [
        (world.partner.slug, "pending")]
    assert sorted(body["themes"]) == ["culture", "insertion"]
    assert body["room"]["id"] == world.room.id
    assert body["department"] == "59"
    assert body["description"].startswith("<script>")  # stored as text; escaping is the renderer's job
    assert body["clash_hints"] == []


def test_clash_hints_list_published_events_nearby_in_time(login, world):
    EventFactory(organization=world.outsider_org, title="Autre café", starts_at=in_days(10, 19))
    response = login(world.organizer).post("/api/v1/events/", event_payload(world), format="json")
    assert response.status_code == 201
    assert [h["title"] for h in response.json()["clash_hints"]] == ["Autre café"]


def test_drafts_show_only_to_their_organizers(login, api, world):
    draft = EventFactory(organization=world.lead, status=EventStatus.DRAFT, title="Brouillon")
    draft.co_organizers.add(world.partner)
    def titles(client):
        return {e["title"] for e in client.get("/api/v1/events/").json()["results"]}
    assert "Brouillon" in titles(login(world.organizer))
    assert "Brouillon" in titles(login(world.co_organizer))
    assert "Brouillon" not in titles(login(world.outsider))
    assert "Brouillon" not in titles(api)
    assert api.get(f"/api/v1/events/{draft.id}/").status_code == 404


def test_co_organizer_edits_the_event_and_time_change_raises_sequence(login, world):
    RegistrationFactory(event=world.event, email="a@example.org")
    response = login(world.co_organizer).patch(f"/api/v1/events/{world.event.id}/", {
        "starts_at": in_days(8).isoformat(), "ends_at": in_days(8, 21).isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["sequence"] == 1
    assert Message.objects.filter(kind="event_changed", to="a@example.org").count() == 1
    text_only = login(world.co_organizer).patch(f"/api/v1/events/{world.event.id}/",
                                                {"description": "Plus de détails"}, format="json")
    assert text_only.json()["sequence"] == 1


def test_cancelling_keeps_the_event_listed_with_its_reason_and_tells_registrants(login, api, world):
    RegistrationFactory(event=world.event, email="a@example.org")
    response = login(world.organizer).post(f"/api/v1/events/{world.event.id}/cancel/",
                                           {"reason": "Intempéries"}, format="json")
    assert response.status_code == 200
    listed = api.get("/api/v1/events/").json()["results"]
    assert [(e["status"], e["cancel_reason"]) for e in listed] == [("cancelled", "Intempéries")]
    assert Message.objects.filter(kind="event_cancelled").count() == 1
    again = login(world.organizer).post(f"/api/v1/events/{world.event.id}/cancel/",
                                        {"reason": "x"}, format="json")
    assert again.status_code == 409


def test_cancel_without_a_reason_is_refused(login, world):
    response = login(world.organizer).post(f"/api/v1/events/{world.event.id}/cancel/", {"reason": " "},
                                           format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    world.event.refresh_from_db()
    assert world.event.status == EventStatus.PUBLISHED


def test_submitted_event_waits_for_moderation_and_only_approved_ones_carry_the_label(login, api, world):
    response = login(world.organizer).post("/api/v1/events/", event_payload(
        world, campaign=world.campaign.slug), format="json")
    assert response.status_code == 201, response.json()
    event_id = response.json()["id"]
    assert response.json()["moderation"] == "pending"
    assert response.json()["label"] == ""
    campaign_list = f"/api/v1/events/?campaign={world.campaign.slug}"
    assert api.get(campaign_list).json()["count"] == 0
    assert login(world.coordinator).get(campaign_list + "&moderation=pending").json()["count"] == 1

    approved = login(world.coordinator).post(f"/api/v1/events/{event_id}/approve/", {}, format="json")
    assert approved.status_code == 200
    assert approved.json()["label"] == "Mois de l'ESS"
    assert [e["id"] for e in api.get(campaign_list).json()["results"]] == [event_id]


def test_rejection_needs_a_comment_which_only_organizers_and_coordinators_see(login, api, world):
    event = EventFactory(organization=world.lead, campaign=world.campaign, moderation=Moderation.PENDING)
    bare = login(world.coordinator).post(f"/api/v1/events/{event.id}/reject/", {}, format="json")
    assert bare.status_code == 400
    assert "comment" in bare.json()["fields"]
    rejected = login(world.coordinator).post(f"/api/v1/events/{event.id}/reject/",
                                             {"comment": "Hors champ de l'ESS"}, format="json")
    assert rejected.json()["moderation"] == "rejected"
    assert login(world.organizer).get(f"/api/v1/events/{event.id}/").json()["moderation_comment"] \
        == "Hors champ de l'ESS"
    assert "moderation_comment" not in api.get(f"/api/v1/events/{event.id}/").json()
    resubmitted = login(world.organizer).patch(f"/api/v1/events/{event.id}/", {"title": "Nouveau titre"},
                                               format="json")
    assert resubmitted.json()["moderation"] == "pending"


def test_list_filters(api, world):
    other = EventFactory(organization=world.outsider_org, title="Visite de la ressourcerie",
                         format="visite", department="72", region="Pays de la Loire",
                         commune_insee="72181", starts_at=in_days(20))
    roomed = EventFactory(organization=world.partner, room=world.room, title="Atelier vélo",
                          starts_at=in_days(30))

    def ids(query):
        response = api.get(f"/api/v1/events/?{query}")
        assert response.status_code == 200, response.json()
        return [e["id"] for e in response.json()["results"]]

    assert ids("format=visite") == [other.id]
    assert ids("territory=72") == [other.id]
    assert ids("territory=Hauts-de-France") == [world.event.id, roomed.id]
    assert ids(f"organization={world.partner.slug}") == [world.event.id, roomed.id]
    assert ids(f"space={world.room.space.slug}") == [roomed.id]
    assert ids("q=ressourcerie") == [other.id]
    assert ids(f"starts_after={in_days(15).isoformat()}".replace("+", "%2B")) == [other.id, roomed.id]
    assert ids(f"starts_before={in_days(15).isoformat()}".replace("+", "%2B")) == [world.event.id]
    assert ids("ordering=-starts_at") == [roomed.id, other.id, world.event.id]
    world.event.themes.add(*Theme.objects.filter(slug="insertion"))
    assert ids("theme=insertion") == [world.event.id]


def test_campaigns_are_public_and_created_by_coordinators(login, api, world):
    payload = {"title": "Mois de l'ESS 2027", "coordinators": [world.cress.slug],
               "starts_on": "2027-11-01", "ends_on": "2027-11-30", "label": "Mois de l'ESS 2027"}
    assert login(world.organizer).post("/api/v1/campaigns/", payload, format="json").status_code == 403
    created = login(world.coordinator).post("/api/v1/campaigns/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["slug"] == "mois-de-less-2027"
    assert api.get("/api/v1/campaigns/mois-de-less-2027/").json()["coordinators"] == [world.cress.slug]
    assert Event.objects.count() == 1


def test_moderating_an_event_outside_any_campaign_is_a_409(login, world):
    response = login(world.coordinator).post(f"/api/v1/events/{world.event.id}/approve/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_in_campaign")


def test_an_event_with_registrations_cannot_go_back_to_draft(login, world):
    RegistrationFactory(event=world.event)
    response = login(world.organizer).patch(f"/api/v1/events/{world.event.id}/", {"status": "draft"},
                                            format="json")
    assert (response.status_code, response.json()["code"]) == (409, "has_registrations")
    world.event.refresh_from_db()
    assert world.event.status == EventStatus.PUBLISHED


def test_the_agenda_search_ignores_accents_on_postgresql(api, world):
    from tests.services import require_postgres

    require_postgres()
    cafe = EventFactory(organization=world.partner, title="Café des coopératives", starts_at=in_days(3))
    economie = EventFactory(organization=world.partner, title="Rencontre",
                            description="L'Économie sociale et solidaire à Lille", starts_at=in_days(4))
    for query, expected in [("cafe", [cafe.id]), ("economie", [economie.id]), ("CAFÉ", [cafe.id]),
                            ("cooperative", [cafe.id])]:
        response = api.get("/api/v1/events/", {"q": query})
        assert [e["id"] for e in response.json()["results"]] == expected, query
