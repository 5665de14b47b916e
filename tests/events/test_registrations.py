"""Registrations: seats, the FIFO waitlist, promotion, guests with a secret link, windows, export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import services
from events.models import Registration, RegistrationStatus
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import PersonFactory
from worker.models import Message

pytestmark = pytest.mark.django_db


def register(client, event, **body):
    return client.post(f"/api/v1/events/{event.id}/registrations/", body, format="json")


def test_signed_in_person_gets_a_seat_then_the_waitlist(login):
    event = EventFactory(capacity=1)
    first, second, third = (login(PersonFactory()) for _ in range(3))
    assert register(first, event).json() | {"id": 0} == {"id": 0, "status": "confirmed", "position": None}
    assert register(second, event).json()["position"] == 1
    response = register(third, event)
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["position"]) == ("waitlisted", 2)
    assert Message.objects.filter(kind="registration_confirmed").count() == 1
    assert Message.objects.filter(kind="registration_waitlisted").count() == 2
    first_waiting = Message.objects.filter(kind="registration_waitlisted").first()
    assert "n° 1 en liste d'attente" in first_waiting.body_text


def test_guest_registers_with_name_and_email_and_cancels_with_the_secret_link(api):
    event = EventFactory(capacity=5)
    response = register(api, event, name="Lou Invitée", email="Lou@Example.org")
    assert response.status_code == 201, response.json()
    registration = Registration.objects.get()
    assert registration.email == "lou@example.org"
    message = Message.objects.get(kind="registration_confirmed")
    assert registration.token in message.body_text

    link = f"/api/v1/registrations/secret/{registration.token}/"
    assert api.get(link).json()["status"] == "confirmed"
    assert api.post(link + "confirm/").json()["email_confirmed_at"] is not None
    assert api.delete(link).status_code == 204
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert api.get("/api/v1/registrations/secret/" + "x" * 43 + "/").status_code == 404


def test_guest_must_give_name_and_email(api):
    response = register(api, EventFactory(), name="Lou")
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_registering_twice_is_a_409_for_a_person_and_for_an_email(login, api):
    event = EventFactory()
    person = PersonFactory(email="sam@example.org")
    assert register(login(person), event).status_code == 201
    again = register(login(person), event)
    assert again.status_code == 409
    assert again.json()["code"] == "already_registered"
    as_guest = register(api, event, name="Sam", email="SAM@example.org")
    assert as_guest.status_code == 409
    assert Registration.objects.count() == 1


def test_registration_closes_with_its_window_and_with_cancellation(api):
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=1))
    response = register(api, closed, name="Lou", email="lou@example.org")
    assert (response.status_code, response.json()["code"]) == (409, "registration_closed")
    not_yet = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
    assert register(api, not_yet, name="Lou", email="lou@example.org").status_code == 409
    started = EventFactory(starts_at=timezone.now() - timedelta(minutes=5))
    assert register(api, started, name="Lou", email="lou@example.org").status_code == 409
    cancelled = EventFactory(status="cancelled", cancel_reason="Salle inondée")
    assert register(api, cancelled, name="Lou", email="lou@example.org").status_code == 409
    assert not Registration.objects.exists()


def test_cancelling_a_seat_promotes_the_head_of_the_waitlist_and_moves_the_rest_up(login):
    event = EventFactory(capacity=1)
    people = [PersonFactory() for _ in range(4)]
    regs = [services.registration_create(event=event, person=p) for p in people]
    assert [r.position for r in regs] == [None, 1, 2, 3]
    response = login(people[0]).delete(f"/api/v1/registrations/{regs[0].id}/")
    assert response.status_code == 204
    states = {r.id: (r.status, r.position) for r in Registration.objects.all()}
    assert states == {regs[0].id: ("cancelled", None), regs[1].id: ("confirmed", None),
                      regs[2].id: ("waitlisted", 1), regs[3].id: ("waitlisted", 2)}
    assert Message.objects.filter(kind="registration_promoted", to=people[1].email).count() == 1


def test_leaving_the_waitlist_moves_the_people_behind_up(login):
    event = EventFactory(capacity=1)
    regs = [services.registration_create(event=event, person=PersonFactory()) for _ in range(4)]
    services.registration_cancel(registration=regs[2], actor=regs[2].person)
    assert [(r.status, r.position) for r in Registration.objects.order_by("id")] == [
        ("confirmed", None), ("waitlisted", 1), ("cancelled", None), ("waitlisted", 2)]


def test_growing_capacity_promotes_the_waitlist_in_order(login, world):
    event = world.event
    event.capacity = 1
    event.save()
    regs = [services.registration_create(event=event, person=PersonFactory()) for _ in range(4)]
    response = login(world.organizer).patch(f"/api/v1/events/{event.id}/", {"capacity": 3}, format="json")
    assert response.status_code == 200, response.json()
    assert [(r.status, r.position) for r in Registration.objects.order_by("id")] == [
        ("confirmed", None), ("confirmed", None), ("confirmed", None), ("waitlisted", 1)]
    assert regs[3].id == Registration.objects.get(status="waitlisted").id


def test_capacity_cannot_drop_below_the_confirmed_registrations(login, world):
    for _ in range(3):
        RegistrationFactory(event=world.event)
    response = login(world.organizer).patch(f"/api/v1/events/{world.event.id}/", {"capacity": 2},
                                            format="json")
    assert response.status_code == 409
    assert response.json()["fields"] == {"capacity": [response.json()["detail"]]}


def test_someone_else_cannot_cancel_your_registration(login, world):
    registration = services.registration_create(event=world.event, person=PersonFactory())
    response = login(world.outsider).delete(f"/api/v1/registrations/{registration.id}/")
    assert response.status_code == 404
    assert login(world.co_organizer).delete(f"/api/v1/registrations/{registration.id}/").status_code == 204


def test_organizers_list_and_export_registrations_as_csv(login, world):
    RegistrationFactory(event=world.event, name="=HYPERLINK(\"x\")", email="a@example.org")
    RegistrationFactory(event=world.event, name="Camille", email="b@example.org")
    listing = login(world.co_organizer).get(f"/api/v1/events/{world.event.id}/registrations/")
    assert [r["name"] for r in listing.json()["results"]] == ['=HYPERLINK("x")', "Camille"]
    response = login(world.organizer).get(f"/api/v1/events/{world.event.id}/registrations/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["nom", "e-mail", "code", "statut"]
    assert rows[1][0] == "'=HYPERLINK(\"x\")"
    assert [rows[2][0], rows[2][1], rows[2][3]] == ["Camille", "b@example.org", "Confirmée"]
    assert login(world.outsider).get(
        f"/api/v1/events/{world.event.id}/registrations/export/").status_code == 403


def test_my_registrations_are_listed(login):
    person = PersonFactory()
    services.registration_create(event=EventFactory(), person=person)
    RegistrationFactory()
    assert login(person).get("/api/v1/registrations/").json()["count"] == 1


def test_the_database_keeps_one_active_registration_per_email_and_per_person():
    event = EventFactory()
    person = PersonFactory()
    RegistrationFactory(event=event, email="lou@example.org", person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=event, email="lou@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=event, email="autre@example.org", person=person)
    RegistrationFactory(event=event, email="lou@example.org", status=RegistrationStatus.CANCELLED)


def test_the_schema_documents_the_events_api(api):
    schema = api.get("/api/schema/").content
    for path in (b"/api/v1/events/{id}/registrations/", b"/api/v1/series/", b"/api/v1/campaigns/",
                 b"/api/v1/registrations/secret/{token}/"):
        assert path in schema
