"""The coordinators' moderation pages: the queue of their territory, several decisions at once,
and the history an event's organizers read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from events import services
from events.models import Event, Moderation, ModerationDecision
from network.models import Role
from tests.events.factories import EventFactory, RoomFactory
from tests.factories import OrganizationFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db

SARTHE = {"region": "Pays de la Loire", "department": "72", "commune_insee": "72181",
          "address": "25 rue du Port, 72000 Le Mans"}


@pytest.fixture
def queue(town):
    """Two pending events in Lille and one in the Sarthe, in the town's campaign."""
    town.lille = [EventFactory(organization=town.apes, campaign=town.campaign, moderation=Moderation.PENDING,
                               title=f"Atelier lillois {n}", address="Place Rihour, 59000 Lille")
                  for n in range(2)]
    town.sarthe = EventFactory(organization=town.apes, campaign=town.campaign, moderation=Moderation.PENDING,
                               title="Café manceau", **SARTHE)
    return town


def test_the_queue_shows_the_coordinators_region_with_places_by_name(client, queue):
    client.force_login(queue.coordinator)
    html = client.get(reverse("web:moderation")).content.decode()
    assert html.count('class="card moderation-item"') == 2
    assert "Café manceau" not in html
    assert "Lille (Nord), Hauts-de-France" in html
    assert "sur votre territoire : Hauts-de-France" in html
    figures = reverse("observatory:campaign-territory-figures", args=[queue.campaign.slug])
    assert f'<a href="{figures}">{escape(queue.campaign.title)}</a>' in html


def test_a_national_coordinator_filters_by_region_and_department(client, queue):
    national = OrganizationFactory(region="", department="", commune_insee="")
    queue.campaign.coordinators.add(national)
    client.force_login(member_of(national, Role.COORDINATOR))
    page = reverse("web:moderation")
    assert client.get(page).content.decode().count('class="card moderation-item"') == 3
    html = client.get(page, {"region": "Pays de la Loire"}).content.decode()
    assert "Café manceau" in html and "Atelier lillois" not in html
    assert "Le Mans (Sarthe), Pays de la Loire" in html
    html = client.get(page, {"department": "59"}).content.decode()
    assert html.count('class="card moderation-item"') == 2
    html = client.get(page, {"region": "Narnia"}).content.decode()
    assert "Région : Sélectionnez un choix valide" in html


def test_approving_several_at_once_from_the_queue(client, queue):
    client.force_login(queue.coordinator)
    ids = [event.pk for event in queue.lille]
    response = client.post(reverse("web:moderate-many"), {
        "events": ids, "decision": "approve", "comment": "", "query": "department=59"})
    assert response["Location"] == reverse("web:moderation") + "?department=59"
    assert set(Event.objects.filter(pk__in=ids).values_list("moderation", flat=True)) == {Moderation.APPROVED}
    html = client.get(response["Location"]).content.decode()
    assert "2 événements approuvés." in html
    assert Message.objects.filter(kind="campaign_decision").count() == 2  # one organizer, two events


def test_a_bulk_decision_outside_the_territory_changes_nothing_and_says_why(client, queue):
    client.force_login(queue.coordinator)
    client.post(reverse("web:moderate-many"), {
        "events": [queue.lille[0].pk, queue.sarthe.pk], "decision": "approve", "comment": ""})
    assert set(Event.objects.filter(campaign=queue.campaign, moderation=Moderation.PENDING)
               .values_list("title", flat=True)) == {"Atelier lillois 0", "Atelier lillois 1", "Café manceau"}
    html = client.get(reverse("web:moderation")).content.decode()
    assert "« Café manceau » : Seuls les coordinateur·rices de la campagne, sur leur territoire" in html


@pytest.mark.parametrize("data, error", [
    ({"decision": "approve"}, "Cochez au moins un événement."),
    ({"decision": "reject", "comment": ""}, "Expliquez le refus aux organisateur·rices."),
])
def test_a_bulk_decision_needs_a_choice_and_a_reason_to_refuse(client, queue, data, error):
    client.force_login(queue.coordinator)
    if "comment" in data:
        data["events"] = [queue.lille[0].pk]
    html = client.post(reverse("web:moderate-many"), data, follow=True).content.decode()
    assert error in html
    assert Event.objects.get(pk=queue.lille[0].pk).moderation == Moderation.PENDING


def test_organizers_and_coordinators_read_the_history_others_do_not(client, queue):
    event = queue.lille[0]
    services.event_moderate(actor=queue.coordinator, event=event, approve=False, comment="Précisez le tarif.")
    page = reverse("web:event-moderation", args=[event.slug])
    for person in (queue.organizer, queue.coordinator):
        client.force_login(person)
        html = client.get(page).content.decode()
        assert "Refusé" in html and "Chloé Coord" in html and "Précisez le tarif." in html
    client.force_login(queue.member)
    assert client.get(page).status_code == 403
    client.force_login(queue.organizer)
    assert page in client.get(reverse("web:event-edit", args=[event.slug])).content.decode()


def _pending(count: int, town) -> None:
    space = RoomFactory(space__operator=town.apes).space
    for n in range(count):
        event = EventFactory(organization=town.apes, campaign=town.campaign, moderation=Moderation.PENDING,
                             room=RoomFactory(space=space) if n % 2 else None)
        ModerationDecision.objects.create(event=event, campaign=town.campaign, decision="rejected",
                                          comment="Avant", decided_by=town.coordinator,
                                          decided_at=event.created_at)


def test_the_queue_page_costs_the_same_number_of_queries_for_10_and_200_events(client, town):
    client.force_login(town.coordinator)
    client.get(reverse("web:moderation"))
    _pending(10, town)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse("web:moderation")).status_code == 200
    _pending(190, town)
    with CaptureQueriesContext(connection) as two_hundred:
        html = client.get(reverse("web:moderation")).content.decode()
    assert "200 événements" in html
    assert len(two_hundred.captured_queries) == len(ten.captured_queries) <= 16, [
        q["sql"][:100] for q in two_hundred.captured_queries]


def test_the_agenda_and_an_organizations_page_name_departments(client, town):
    html = client.get(reverse("web:agenda")).content.decode()
    assert '<option value="59">Nord (59)</option>' in html
    html = client.get(reverse("web:organization", args=[town.apes.slug])).content.decode()
    assert "Hauts-de-France · Nord (59)" in html
