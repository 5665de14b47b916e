"""Coordinators moderate their campaign's events in their own territory: the queue, bulk
decisions, the history of decisions and the messages organizers receive."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import selectors, services
from events.models import Event, Moderation, ModerationDecision
from network.models import Person, Role
from tests.events.factories import CampaignFactory, EventFactory, RoomFactory, co_organize
from tests.factories import OrganizationFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/"
DECIDE = "/api/v1/moderation/decide/"
SARTHE = {"region": "Pays de la Loire", "department": "72", "commune_insee": "72181",
          "address": "25 rue du Port, 72000 Le Mans"}
NORD = {"region": "Hauts-de-France", "department": "59", "commune_insee": "59350",
        "address": "Place de la Nouvelle Aventure, 59000 Lille"}


@pytest.fixture
def mois(db):
    """A Mois de l'ESS coordinated by two CRESS and by ESS France (no region), with pending
    events in the Nord and in the Sarthe."""
    hdf = OrganizationFactory(name="CRESS HdF", region="Hauts-de-France", department="59")
    pdl = OrganizationFactory(name="CRESS PdL", region="Pays de la Loire", department="44")
    national = OrganizationFactory(name="ESS France", region="", department="", commune_insee="")
    campaign = CampaignFactory(coordinators=[hdf, pdl, national])
    lead = OrganizationFactory(name="APES")
    return SimpleNamespace(
        campaign=campaign, lead=lead,
        hdf=member_of(hdf, Role.COORDINATOR), pdl=member_of(pdl, Role.COORDINATOR),
        national=member_of(national, Role.COORDINATOR), organizer=member_of(lead, Role.ORGANIZER),
        nord=[EventFactory(organization=lead, campaign=campaign, moderation=Moderation.PENDING,
                           title=f"Lille {n}", **NORD) for n in range(2)],
        sarthe=EventFactory(organization=lead, campaign=campaign, moderation=Moderation.PENDING,
                            title="Le Mans", **SARTHE),
    )


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["title"] for item in response.json()["results"]]


def test_a_regional_coordinator_gets_only_their_region_and_a_national_one_everything(login, mois):
    assert titles(login(mois.hdf).get(QUEUE)) == ["Lille 0", "Lille 1"]
    assert titles(login(mois.pdl).get(QUEUE)) == ["Le Mans"]
    assert sorted(titles(login(mois.national).get(QUEUE))) == ["Le Mans", "Lille 0", "Lille 1"]


def test_the_queue_says_where_each_event_takes_place_by_name(login, mois):
    room = RoomFactory(space__address="20 rue de l'Alma, 59100 Roubaix", space__commune_insee="59512")
    roubaix = EventFactory(organization=mois.lead, campaign=mois.campaign, moderation=Moderation.PENDING,
                           title="Roubaix", room=room, region="Hauts-de-France", department="59")
    items = {item["id"]: item for item in login(mois.national).get(QUEUE).json()["results"]}
    assert items[mois.sarthe.id]["place"] == {
        "commune": "Le Mans", "commune_insee": "72181", "department": "72", "department_name": "Sarthe",
        "region": "Pays de la Loire", "display": "Le Mans (Sarthe), Pays de la Loire"}
    assert items[roubaix.id]["place"]["display"] == "Roubaix (Nord), Hauts-de-France"
    assert items[roubaix.id]["organizers"] == [{"slug": mois.lead.slug, "name": "APES"}]


def test_the_queue_filters_by_region_department_and_state(login, mois):
    national = login(mois.national)
    assert titles(national.get(QUEUE, {"region": "Pays de la Loire"})) == ["Le Mans"]
    assert titles(national.get(QUEUE, {"department": "59"})) == ["Lille 0", "Lille 1"]
    services.event_moderate(actor=mois.hdf, event=mois.nord[0], approve=True)
    assert titles(national.get(QUEUE, {"department": "59"})) == ["Lille 1"]
    assert titles(national.get(QUEUE, {"moderation": "approved"})) == ["Lille 0"]
    assert len(titles(national.get(QUEUE, {"moderation": "all"}))) == 3


@pytest.mark.parametrize("query, field", [
    ({"region": "Narnia"}, "region"), ({"department": "99"}, "department"),
    ({"moderation": "maybe"}, "moderation")])
def test_a_bad_filter_is_refused_naming_it(login, mois, query, field):
    response = login(mois.national).get(QUEUE, query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_queue_is_for_coordinators_only(api, login, mois):
    assert api.get(QUEUE).status_code in (401, 403)
    assert login(mois.organizer).get(QUEUE).status_code == 403
    assert login(mois.organizer).post(DECIDE, {"events": [mois.sarthe.id], "decision": "approve"},
                                      format="json").status_code == 403


def test_a_coordinator_cannot_decide_outside_their_territory(login, mois):
    hdf = login(mois.hdf)
    assert hdf.post(f"/api/v1/events/{mois.sarthe.id}/approve/", {}, format="json").status_code == 403
    response = hdf.post(DECIDE, {"events": [mois.nord[0].id, mois.sarthe.id], "decision": "approve"},
                        format="json")
    assert response.status_code == 403
    assert "Le Mans" in response.json()["detail"]
    # All or none: the Lille event decided before the refusal is rolled back.
    assert set(Event.objects.values_list("moderation", flat=True)) == {Moderation.PENDING}
    assert not ModerationDecision.objects.exists() and not Message.objects.exists()


def test_a_coordinator_of_another_campaign_cannot_decide(login, mois):
    other = member_of(CampaignFactory().coordinators.get(), Role.COORDINATOR)
    client = login(other)
    assert client.post(f"/api/v1/events/{mois.nord[0].id}/approve/", {}, format="json").status_code == 403
    assert client.post(DECIDE, {"events": [mois.nord[0].id], "decision": "approve"},
                       format="json").status_code == 403
    assert titles(client.get(QUEUE)) == []
    assert Event.objects.get(pk=mois.nord[0].pk).moderation == Moderation.PENDING


def test_a_draft_cannot_be_decided_and_is_not_found(login, mois):
    Event.objects.filter(pk=mois.sarthe.pk).update(status="draft")
    response = login(mois.national).post(DECIDE, {"events": [mois.sarthe.id], "decision": "approve"},
                                         format="json")
    assert response.status_code == 400 and "events" in response.json()["fields"]


def test_an_event_without_territory_is_decided_by_every_coordinator_of_its_campaign(login, mois):
    online = EventFactory(organization=mois.lead, campaign=mois.campaign, moderation=Moderation.PENDING,
                          title="En ligne", region="", department="", commune_insee="")
    assert "En ligne" in titles(login(mois.hdf).get(QUEUE))
    assert "En ligne" in titles(login(mois.pdl).get(QUEUE))
    services.event_moderate(actor=mois.pdl, event=online, approve=True)
    assert Event.objects.get(pk=online.pk).moderation == Moderation.APPROVED


def test_a_coordinating_organization_with_only_a_department_moderates_its_region(login, mois):
    cress = OrganizationFactory(region="", department="72")
    mois.campaign.coordinators.add(cress)
    assert titles(login(member_of(cress, Role.COORDINATOR)).get(QUEUE)) == ["Le Mans"]


def test_bulk_approval_labels_each_event_and_tells_each_events_organizers_once(login, mois):
    co_organizer = member_of(co_organize(mois.nord[1], OrganizationFactory()).organization, Role.ORGANIZER)
    ids = [event.id for event in mois.nord]

    response = login(mois.hdf).post(DECIDE, {"events": ids, "decision": "approve", "comment": "Bienvenue !"},
                                    format="json")
    assert response.status_code == 200, response.json()
    assert [item["moderation"] for item in response.json()] == ["approved", "approved"]
    assert [e.label for e in Event.objects.filter(pk__in=ids).select_related("campaign")] == [
        "Mois de l'ESS", "Mois de l'ESS"]
    sent = sorted(Message.objects.filter(kind="campaign_decision").values_list("to", "key"))
    assert [to for to, _key in sent].count(mois.organizer.email) == 2  # one per event
    assert [to for to, _key in sent].count(co_organizer.email) == 1  # only the event it co-organizes
    assert len({key for _to, key in sent}) == len(sent)

    # Sent again (a double click): nothing changes, nobody is told twice.
    login(mois.hdf).post(DECIDE, {"events": ids, "decision": "approve", "comment": "Bienvenue !"},
                         format="json")
    assert Message.objects.filter(kind="campaign_decision").count() == len(sent)
    assert ModerationDecision.objects.count() == 2


def test_bulk_refusal_needs_one_reason(login, mois):
    ids = [event.id for event in mois.nord]
    response = login(mois.hdf).post(DECIDE, {"events": ids, "decision": "reject"}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["fields"]
    response = login(mois.hdf).post(DECIDE, {"events": ids, "decision": "reject", "comment": "Hors thème."},
                                    format="json")
    assert response.status_code == 200
    assert set(Event.objects.filter(pk__in=ids).values_list("moderation", "moderation_comment")) == {
        (Moderation.REJECTED, "Hors thème.")}


@pytest.mark.parametrize("payload, field", [
    ({"events": [], "decision": "approve"}, "events"),
    ({"events": ["x"], "decision": "approve"}, "events"),
    ({"events": [2**70], "decision": "approve"}, "events"),
    ({"events": [1], "decision": "maybe"}, "decision"),
    ({"events": [1], "decision": "approve", "extra": 1}, "extra"),
])
def test_bad_bulk_input_is_refused_naming_the_field(login, mois, payload, field):
    response = login(mois.hdf).post(DECIDE, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_history_says_who_decided_what_when_and_why_to_organizers_and_coordinators(api, login, mois):
    event = mois.nord[0]
    services.event_moderate(actor=mois.hdf, event=event, approve=False, comment="Précisez le lieu.")
    services.event_update(actor=mois.organizer, event=Event.objects.get(pk=event.pk), title="Au marché")
    assert Event.objects.get(pk=event.pk).moderation == Moderation.PENDING  # submitted again
    services.event_moderate(actor=mois.national, event=event, approve=True)

    url = f"/api/v1/events/{event.id}/decisions/"
    history = login(mois.organizer).get(url).json()
    assert [(d["decision"], d["comment"], d["decided_by"]) for d in history] == [
        ("approved", "", mois.national.full_name), ("rejected", "Précisez le lieu.", mois.hdf.full_name)]
    assert history[0]["decided_at"] >= history[1]["decided_at"]
    assert login(mois.pdl).get(url).status_code == 200  # a coordinator of the campaign
    assert login(member_of(OrganizationFactory(), Role.ORGANIZER)).get(url).status_code == 403
    assert api.get(url).status_code in (401, 403)
    queued = login(mois.hdf).get(QUEUE, {"moderation": "all"}).json()["results"]
    assert [len(item["decisions"]) for item in queued if item["id"] == event.id] == [2]


def test_the_refusal_email_links_to_the_edit_page_and_is_a_service_message(mois):
    event = mois.nord[0]
    services.event_moderate(actor=mois.hdf, event=event, approve=False, comment="Hors thème.")
    message = Message.objects.get(kind="campaign_decision", to=mois.organizer.email)
    assert message.essential is True
    assert f"/evenements/{event.slug}/modifier/" in message.body_text
    assert f"/evenements/{event.slug}/modifier/" in message.body_html
    assert "/notifications/" not in message.body_text + message.body_html
    assert "Ne plus recevoir" not in message.body_text


def test_the_co_organization_answer_is_a_service_message_linking_to_the_edit_page(world):
    event = world.event
    other = OrganizationFactory()
    services.event_update(actor=world.organizer, event=event, co_organizers=[world.partner, other])
    request = event.co_organizations.get(organization=other)
    services.co_organization_decide(actor=member_of(other, Role.ORGANIZER), co_organization=request,
                                    accept=False)
    message = Message.objects.filter(kind="co_organization_decision").first()
    assert message.essential is True
    assert f"/evenements/{event.slug}/modifier/" in message.body_text
    assert "/notifications/" not in message.body_text + message.body_html


def _pending(count: int, mois) -> None:
    space = RoomFactory(space__operator=mois.lead).space
    for n in range(count):
        in_a_room = n % 3 == 0
        event = EventFactory(organization=mois.lead, campaign=mois.campaign, moderation=Moderation.PENDING,
                             room=RoomFactory(space=space) if in_a_room else None,
                             latitude=None if in_a_room else "50.63", longitude=None if in_a_room else "3.06",
                             **{**NORD, "address": "" if in_a_room else NORD["address"]})
        if n % 2:
            co_organize(event, OrganizationFactory())
        ModerationDecision.objects.create(event=event, campaign=mois.campaign, decision="rejected",
                                          comment="Avant", decided_by=mois.hdf, decided_at=event.created_at)


def test_the_queue_api_costs_the_same_number_of_queries_for_10_and_200_events(login, mois):
    Event.objects.all().delete()
    client = login(mois.hdf)
    _pending(10, mois)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(QUEUE, {"page_size": 200}).json()["count"] == 10
    _pending(190, mois)
    with CaptureQueriesContext(connection) as two_hundred:
        assert client.get(QUEUE, {"page_size": 200}).json()["count"] == 200
    assert len(ten.captured_queries) <= 12, [q["sql"][:100] for q in ten.captured_queries]
    assert len(two_hundred.captured_queries) == len(ten.captured_queries)


def test_the_demo_has_a_queue_in_two_regions_a_history_and_a_clash_by_distance():
    call_command("load_demo", stdout=None)
    people = {p.email: p for p in Person.objects.filter(email__startswith="coordination@")}
    regional = selectors.moderation_queue(people["coordination@cress-hdf.demo"])
    national = selectors.moderation_queue(people["coordination@ess-france.demo"])
    assert {e.region for e in regional} == {"Hauts-de-France"}
    assert {e.region for e in national} == {"Hauts-de-France", "Pays de la Loire"}
    resubmitted = national.get(slug="culture-solidaire-roubaix")
    assert [d.decision for d in resubmitted.decisions] == [Moderation.REJECTED]
    assert ModerationDecision.objects.filter(decided_by=people["coordination@cress-pdl.demo"]).exists()
    hints = selectors.clash_hints(resubmitted)
    assert "monnaies-locales-tourcoing" in [e.slug for e in hints]
    assert all(e.commune_insee != resubmitted.commune_insee for e in hints)


def test_clash_hints_name_the_other_events_place(login, mois):
    Event.objects.filter(pk=mois.nord[1].pk).update(address="20 rue de l'Alma, 59100 Roubaix",
                                                   latitude="50.6956", longitude="3.1689")
    Event.objects.filter(pk=mois.nord[0].pk).update(latitude="50.6316", longitude="3.0598")
    [item] = [i for i in login(mois.hdf).get(QUEUE).json()["results"] if i["id"] == mois.nord[0].id]
    assert [(h["title"], h["place"]) for h in item["clash_hints"]] == [
        ("Lille 1", "Roubaix (Nord), Hauts-de-France")]


def test_a_coordinator_finds_their_decisions_in_their_data_and_erasure_keeps_the_history(login, mois):
    services.event_moderate(actor=mois.hdf, event=mois.nord[0], approve=False, comment="Hors thème.")
    exported = login(mois.hdf).get("/api/v1/me/data/").json()["events"]["moderation_decisions"]
    assert [(d["event"], d["decision"], d["comment"]) for d in exported] == [
        ("Lille 0", "rejected", "Hors thème.")]
    mois.hdf.delete()
    history = login(mois.organizer).get(f"/api/v1/events/{mois.nord[0].id}/decisions/").json()
    assert [(d["decision"], d["decided_by"]) for d in history] == [("rejected", "")]
