"""Attendees for an event's organizers: adding by hand, writing to registrants, the door
check-in, attendance counts and the French spreadsheet export (API and services)."""

from __future__ import annotations

import base64
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from events import attendance, services
from events.models import EventMessage, Registration, RegistrationStatus
from tests.events.factories import EventFactory, RegistrationFactory
from worker.models import Message
from worker.outbox import message_deliver

pytestmark = pytest.mark.django_db


def url(event, tail: str) -> str:
    return f"/api/v1/events/{event.id}/{tail}"


# --- codes -------------------------------------------------------------------------

def test_every_registration_has_its_own_short_unambiguous_code(world):
    codes = {RegistrationFactory(event=world.event).code for _ in range(30)}
    assert len(codes) == 30
    assert all(len(code) == 8 and not set(code) & set("01ILOU") for code in codes)


def test_the_confirmation_email_carries_the_entry_code_and_the_waitlist_notice_does_not(world):
    world.event.capacity = 1
    world.event.save()
    seat = services.registration_create(event=world.event, name="Ada", email="ada@example.org")
    waiting = services.registration_create(event=world.event, name="Bob", email="bob@example.org")
    confirmed = Message.objects.get(key=f"registration-confirmed:{seat.id}")
    assert f"Votre code d'entrée : {seat.code}." in confirmed.body_text
    [qr] = [a for a in confirmed.attachments if a["mimetype"] == "image/png"]
    assert qr["filename"] == f"entree-{seat.code}.png"
    picture = base64.b64decode(qr["content"])
    assert picture.startswith(b"\x89PNG\r\n")
    # A full QR code (21 modules at least, 3 of border, 8 px each), never a Micro QR code,
    # which phone cameras do not read.
    assert int.from_bytes(picture[16:20], "big") >= (21 + 2 * 3) * 8
    assert waiting.code not in Message.objects.get(key=f"registration-waitlisted:{waiting.id}").body_text
    services.registration_cancel(registration=seat, actor=world.organizer)
    promoted = Message.objects.get(key=f"registration-promoted:{waiting.id}")
    assert waiting.code in promoted.body_text


# --- adding by hand ------------------------------------------------------------------

def test_an_organizer_adds_someone_by_hand_after_registration_closed_and_the_capacity_still_holds(
        login, world):
    world.event.capacity = 1
    world.event.registration_closes_at = timezone.now() - timedelta(hours=1)
    world.event.save()
    client = login(world.co_organizer)
    first = client.post(url(world.event, "registrations/add/"), {"name": "Ada", "email": "Ada@Example.org"},
                        format="json")
    assert first.status_code == 201, first.json()
    assert (first.json()["status"], first.json()["email"]) == ("confirmed", "ada@example.org")
    second = client.post(url(world.event, "registrations/add/"), {"name": "Bob", "email": "bob@example.org"},
                         format="json")
    assert (second.json()["status"], second.json()["position"]) == ("waitlisted", 1)
    again = client.post(url(world.event, "registrations/add/"), {"name": "Ada", "email": "ada@example.org"},
                        format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_registered")
    assert Message.objects.filter(to="ada@example.org", kind="registration_confirmed").count() == 1


def test_a_visitor_still_meets_the_closed_registration_window(api, world):
    world.event.registration_closes_at = timezone.now() - timedelta(hours=1)
    world.event.save()
    response = api.post(url(world.event, "registrations/"), {"name": "Eve", "email": "eve@example.org"},
                        format="json")
    assert (response.status_code, response.json()["code"]) == (409, "registration_closed")


def test_adding_by_hand_names_the_missing_field(login, world):
    response = login(world.organizer).post(url(world.event, "registrations/add/"), {"name": "Ada"},
                                           format="json")
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


# --- cancelling after the start ---------------------------------------------------------

def test_a_seat_freed_after_the_start_does_not_go_to_the_waitlist(world):
    world.event.capacity = 1
    world.event.save()
    seat = services.registration_create(event=world.event, name="Ada", email="ada@example.org")
    waiting = services.registration_create(event=world.event, name="Bob", email="bob@example.org")
    world.event.starts_at = timezone.now() - timedelta(minutes=10)
    world.event.ends_at = timezone.now() + timedelta(hours=2)
    world.event.save()
    services.registration_cancel(registration=seat, actor=world.organizer)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.position) == (RegistrationStatus.WAITLISTED, 1)
    assert not Message.objects.filter(kind="registration_promoted").exists()


# --- door check-in ----------------------------------------------------------------------

def test_a_code_checks_in_once_and_again_says_already_in_with_the_time(login, world):
    registration = RegistrationFactory(event=world.event, name="Ada Lovelace")
    client = login(world.organizer)
    typed = f"{registration.code[:4].lower()}-{registration.code[4:].lower()}"
    first = client.post(url(world.event, "check-ins/"), {"code": typed}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["first_time"] is True
    registration.refresh_from_db()
    assert registration.checked_in_at is not None and registration.checked_in_by == world.organizer
    second = login(world.co_organizer).post(url(world.event, "check-ins/"), {"code": registration.code},
                                            format="json")
    assert second.status_code == 200
    assert second.json()["first_time"] is False
    assert second.json()["registration"]["checked_in_at"] == first.json()["checked_in_at"]


@pytest.mark.parametrize(("case", "status", "code"), [
    ("unknown", 404, "unknown_code"),
    ("other event", 409, "wrong_event"),
    ("cancelled", 409, "registration_cancelled"),
    ("waitlisted", 409, "waitlisted"),
    ("malformed", 400, None),
])
def test_the_door_refuses_a_code_with_its_reason(login, world, case, status, code):
    registration = RegistrationFactory(event=world.event, name="Ada")
    if case == "unknown":
        entry = "ZZZZ2222"
    elif case == "other event":
        entry = RegistrationFactory(event=EventFactory(title="Autre soirée")).code
    elif case == "cancelled":
        services.registration_cancel(registration=registration, actor=world.organizer)
        entry = registration.code
    elif case == "waitlisted":
        Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.WAITLISTED,
                                                               position=1)
        entry = registration.code
    else:
        entry = "12"
    response = login(world.organizer).post(url(world.event, "check-ins/"), {"code": entry}, format="json")
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
    else:
        assert "code" in response.json()["fields"]
    assert not Registration.objects.filter(checked_in_at__isnull=False).exists()
    if case == "other event":
        assert "Autre soirée" in response.json()["detail"]


def test_a_cancelled_event_lets_nobody_in(world):
    registration = RegistrationFactory(event=world.event)
    services.event_cancel(actor=world.organizer, event=world.event, reason="Salle inondée")
    with pytest.raises(attendance.EventCancelledRefused):
        attendance.registration_check_in(actor=world.organizer, event=world.event, code=registration.code)


def test_attendance_counts_no_shows_only_once_the_event_has_started(login, world):
    present, absent = RegistrationFactory(event=world.event), RegistrationFactory(event=world.event)
    RegistrationFactory(event=world.event, status=RegistrationStatus.CANCELLED)
    attendance.registration_check_in(actor=world.organizer, event=world.event, code=present.code)
    client = login(world.organizer)
    before = client.get(url(world.event, "attendance/")).json()
    assert before == {"confirmed": 2, "waitlisted": 0, "cancelled": 1, "attended": 1, "no_shows": None}
    world.event.starts_at = timezone.now() - timedelta(hours=3)
    world.event.ends_at = timezone.now() - timedelta(hours=1)
    world.event.save()
    assert client.get(url(world.event, "attendance/")).json()["no_shows"] == 1
    assert absent.checked_in_at is None


# --- writing to registrants -------------------------------------------------------------

def write(client, event, **body):
    payload = {"audience": "confirmed", "subject": "Changement de salle", "body": "Rendez-vous salle B."}
    return client.post(url(event, "messages/"), payload | body, format="json")


def test_writing_to_confirmed_registrants_records_one_email_each_and_a_double_submit_sends_nothing_more(
        login, world):
    world.event.capacity = 2
    world.event.save()
    people = [services.registration_create(event=world.event, name=f"P{n}", email=f"p{n}@example.org")
              for n in range(3)]
    client = login(world.organizer)
    first = write(client, world.event, key="formulaire-1234")
    assert first.status_code == 201, first.json()
    assert first.json()["recipients"] == 2
    again = write(client, world.event, key="formulaire-1234")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    sent = Message.objects.filter(kind="event_message")
    assert sorted(sent.values_list("to", flat=True)) == ["p0@example.org", "p1@example.org"]
    body = sent.first().body_text
    assert "Rendez-vous salle B." in body and world.event.title in body
    assert sent.first().essential is True
    assert EventMessage.objects.count() == 1
    # The waitlist only, then everyone.
    assert write(client, world.event, audience="waitlisted").json()["recipients"] == 1
    assert write(client, world.event, audience="all", subject="Merci").json()["recipients"] == 3
    assert Message.objects.filter(kind="event_message", to=people[2].email).count() == 2


def test_without_a_key_the_same_text_is_the_same_message(login, world):
    RegistrationFactory(event=world.event)
    client = login(world.organizer)
    assert write(client, world.event).status_code == 201
    assert write(client, world.event).status_code == 200
    assert Message.objects.filter(kind="event_message").count() == 1


def test_at_most_five_messages_a_day_per_event(login, world):
    RegistrationFactory(event=world.event)
    client = login(world.organizer)
    for n in range(5):
        assert write(client, world.event, subject=f"Message {n}").status_code == 201
    refused = write(client, world.event, subject="Un de trop")
    assert (refused.status_code, refused.json()["code"]) == (429, "message_limit")
    EventMessage.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert write(client, world.event, subject="Le lendemain").status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"audience": "tout-le-monde"}, "audience"),
    ({"subject": ""}, "subject"),
    ({"subject": "Ligne\nbrisée"}, "subject"),
    ({"body": "x" * 5001}, "body"),
    ({"key": "court"}, "key"),
])
def test_a_bad_message_is_refused_naming_the_field(login, world, body, field):
    RegistrationFactory(event=world.event)
    response = write(login(world.organizer), world.event, **body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_nobody_to_write_to_is_a_clear_refusal(login, world):
    response = write(login(world.organizer), world.event, audience="waitlisted")
    assert (response.status_code, response.json()["code"]) == (409, "no_recipient")


def test_a_copy_to_a_registration_cancelled_meanwhile_is_dropped(world, mailoutbox):
    registration = RegistrationFactory(event=world.event)
    attendance.registrants_write(actor=world.organizer, event=world.event, audience="confirmed",
                                 subject="Infos", body="À demain")
    services.registration_cancel(registration=registration, actor=world.organizer)
    message = Message.objects.get(kind="event_message")
    from django.core.mail import get_connection

    assert message_deliver(message=message, connection=get_connection()) == "dropped"
    assert mailoutbox == [m for m in mailoutbox if m.subject.startswith("Inscription annulée")]


# --- export --------------------------------------------------------------------------------

def test_the_csv_opens_in_a_french_spreadsheet_with_attendance_and_inert_formulas(login, world):
    world.event.time_zone = "America/Cayenne"
    world.event.save()
    registration = RegistrationFactory(event=world.event, name='=HYPERLINK("x")', email="a@example.org")
    RegistrationFactory(event=world.event, name="Camille", email="b@example.org")
    attendance.registration_check_in(actor=world.organizer, event=world.event, code=registration.code)
    registration.refresh_from_db()
    response = login(world.organizer).get(url(world.event, "registrations/export/"))
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0] == ["nom", "e-mail", "code", "statut", "rang", "présence", "inscrit·e le",
                       "passé·e de l'attente le", "entré·e le", "annulé·e le"]
    assert rows[1][0] == "'=HYPERLINK(\"x\")"
    local = registration.checked_in_at.astimezone(world.event.zone)
    assert (rows[1][5], rows[1][8]) == ("entré·e", f"{local:%d/%m/%Y %H:%M}")
    assert (rows[2][5], rows[2][8]) == ("", "")
    world.event.starts_at = timezone.now() - timedelta(hours=1)
    world.event.save()
    rows = list(csv.reader(io.StringIO(login(world.organizer).get(
        url(world.event, "registrations/export/")).content.decode("utf-8-sig")), delimiter=";"))
    assert [row[5] for row in rows[1:]] == ["entré·e", "absent·e"]


def test_organizers_search_the_registrations_by_name_address_or_code_and_filter_by_status(
        login, world):
    ada = RegistrationFactory(event=world.event, name="Ada Lovelace", email="ada@example.org")
    RegistrationFactory(event=world.event, name="Bob Martin", email="bob@example.org")
    RegistrationFactory(event=world.event, name="Chloé Partie", status=RegistrationStatus.CANCELLED)
    client = login(world.organizer)

    def names(**params):
        response = client.get(url(world.event, "registrations/"), params)
        assert response.status_code == 200, response.json()
        return [r["name"] for r in response.json()["results"]]

    assert names() == ["Ada Lovelace", "Bob Martin", "Chloé Partie"]
    assert names(search="LOVE") == names(search=ada.code.lower()) == ["Ada Lovelace"]
    assert names(registration_status="active") == ["Ada Lovelace", "Bob Martin"]
    assert names(registration_status="cancelled") == ["Chloé Partie"]
    refused = client.get(url(world.event, "registrations/"), {"registration_status": "present"})
    assert refused.status_code == 400 and "registration_status" in refused.json()["fields"]


@pytest.mark.parametrize("count", [5, 60])
def test_the_registrations_list_costs_the_same_queries_for_5_and_60(login, world, count,
                                                                     django_assert_num_queries):
    for _ in range(count):
        RegistrationFactory(event=world.event)
    client = login(world.organizer)
    with django_assert_num_queries(8):
        assert client.get(url(world.event, "registrations/")).status_code == 200


# --- who may ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "tail", "body"), [
    ("get", "attendance/", None),
    ("get", "messages/", None),
    ("post", "messages/", {"audience": "all", "subject": "x", "body": "y"}),
    ("post", "check-ins/", {"code": "ABCD2345"}),
    ("post", "registrations/add/", {"name": "X", "email": "x@example.org"}),
    ("get", "registrations/export/", None),
    ("get", "registrations/", None),
])
def test_another_organizations_organizer_is_refused_everything(login, world, method, tail, body):
    registration = RegistrationFactory(event=world.event)
    if body and "code" in body:
        body = {"code": registration.code}
    client = login(world.outsider)
    response = getattr(client, method)(url(world.event, tail), body, format="json")
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert not EventMessage.objects.exists()
    assert Registration.objects.filter(event=world.event).count() == 1


# --- the campaign's figures ------------------------------------------------------------------

def test_coordinators_see_the_campaigns_attendance_by_department_and_nobody_else(login, world):
    from events.models import Moderation

    past = EventFactory(organization=world.lead, campaign=world.campaign, moderation=Moderation.APPROVED,
                        department="59", starts_at=timezone.now() - timedelta(hours=3),
                        ends_at=timezone.now() - timedelta(hours=1))
    coming = EventFactory(organization=world.lead, campaign=world.campaign, moderation=Moderation.APPROVED,
                          department="62")
    pending = EventFactory(organization=world.lead, campaign=world.campaign, moderation=Moderation.PENDING,
                           department="59")
    came, _stayed = RegistrationFactory(event=past), RegistrationFactory(event=past)
    RegistrationFactory(event=coming)
    RegistrationFactory(event=pending)
    RegistrationFactory(event=past, status=RegistrationStatus.CANCELLED)
    attendance.registration_check_in(actor=world.organizer, event=past, code=came.code)
    address = f"/api/v1/campaigns/{world.campaign.slug}/attendance/"
    figures = login(world.coordinator).get(address).json()
    assert {k: figures[k] for k in ("events", "events_checked_in", "confirmed", "attended", "no_shows")} == {
        "events": 2, "events_checked_in": 1, "confirmed": 3, "attended": 1, "no_shows": 1}
    assert [(d["department"], d["confirmed"], d["attended"]) for d in figures["by_department"]] == [
        ("59", 2, 1), ("62", 1, 0)]
    assert login(world.organizer).get(address).status_code == 403


def test_the_sent_confirmation_carries_the_qr_code_as_a_picture(world, mailoutbox):
    from django.core.mail import get_connection

    registration = services.registration_create(event=world.event, name="Ada", email="ada@example.org")
    message = Message.objects.get(key=f"registration-confirmed:{registration.id}")
    assert message_deliver(message=message, connection=get_connection()) == "sent"
    [sent] = mailoutbox
    pictures = [(name, content) for name, content, mimetype in sent.attachments if mimetype == "image/png"]
    assert pictures and pictures[0][0] == f"entree-{registration.code}.png"
    assert pictures[0][1].startswith(b"\x89PNG")


def test_an_entry_recorded_by_mistake_is_taken_back_and_the_code_works_again(login, world):
    registration = RegistrationFactory(event=world.event)
    attendance.registration_check_in(actor=world.organizer, event=world.event, code=registration.code)
    entry = url(world.event, f"check-ins/{registration.code}/")
    assert login(world.outsider).delete(entry).status_code == 403
    client = login(world.co_organizer)
    assert client.delete(entry).status_code == 204
    registration.refresh_from_db()
    assert registration.checked_in_at is None and registration.checked_in_by is None
    other = RegistrationFactory(event=EventFactory())
    assert client.delete(url(world.event, f"check-ins/{other.code}/")).json()["code"] == "unknown_code"
    again = client.post(url(world.event, "check-ins/"), {"code": registration.code}, format="json")
    assert again.status_code == 201
