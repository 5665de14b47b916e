"""The attendees and door pages of an event, for its organizers (Django test client)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from events import attendance, services
from events.models import EventMessage, EventStatus, Registration, RegistrationStatus
from network.models import Role
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import OrganizationFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db


def attendees_url(slug: str = "forum") -> str:
    return reverse("web:event-registrations", args=[slug])


def door_url(slug: str = "forum") -> str:
    return reverse("web:event-door", args=[slug])


@pytest.mark.parametrize("registrations", [10, 200])
def test_the_attendees_page_costs_the_same_queries_for_10_and_200_registrations(
        client, town, registrations, django_assert_num_queries):
    town.forum.capacity = None
    town.forum.save()
    Registration.objects.bulk_create([
        Registration(event=town.forum, name=f"Personne {n}", email=f"p{n}@example.org", token=f"t{n}",
                     status=RegistrationStatus.CONFIRMED) for n in range(registrations)])
    for registration in Registration.objects.all()[:5]:
        attendance.registration_check_in(actor=town.organizer, event=town.forum, code=registration.code)
    attendance.registrants_write(actor=town.organizer, event=town.forum, audience="all",
                                 subject="Bienvenue", body="À bientôt")
    client.force_login(town.organizer)
    client.get(attendees_url())  # warms the session
    with django_assert_num_queries(10):
        response = client.get(attendees_url())
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == min(registrations, 100)


def test_the_attendees_page_shows_counts_codes_attendance_and_searches(client, town):
    ada = RegistrationFactory(event=town.forum, name="Ada Lovelace", email="ada@example.org")
    RegistrationFactory(event=town.forum, name="Bob Martin", email="bob@example.org")
    RegistrationFactory(event=town.forum, name="Chloé Partie", status=RegistrationStatus.CANCELLED)
    attendance.registration_check_in(actor=town.organizer, event=town.forum, code=ada.code)
    client.force_login(town.organizer)
    html = client.get(attendees_url()).content.decode()
    assert ada.code in html and "entré·e " in html and "Retirer l'entrée" in html
    assert "Chloé Partie" not in html  # cancelled ones only on demand
    counts = html.split('id="attendance-counts"')[1].split("</dl>")[0]
    assert "<dd>2 / 10</dd>" in counts and "<dd>1</dd>" in counts
    found = client.get(attendees_url(), {"q": "lovelace"}).content.decode()
    assert "Ada Lovelace" in found and "Bob Martin" not in found
    by_code = client.get(attendees_url(), {"q": ada.code.lower()}).content.decode()
    assert "Ada Lovelace" in by_code and "Bob Martin" not in by_code
    cancelled = client.get(attendees_url(), {"status": "cancelled"}).content.decode()
    assert "Chloé Partie" in cancelled and "Ada Lovelace" not in cancelled
    assert client.get(attendees_url(), {"status": "nimporte"}).status_code == 200


def test_an_organizer_adds_someone_by_hand_and_a_bad_address_is_named(client, town):
    client.force_login(town.organizer)
    add = reverse("web:event-registration-add", args=["forum"])
    refused = client.post(add, {"name": "Ada", "email": "pas-une-adresse"})
    assert refused.status_code == 400
    assert "Saisissez une adresse e-mail valide." in refused.content.decode()
    done = client.post(add, {"name": "Ada Lovelace", "email": "ada@example.org"}, follow=True)
    registration = Registration.objects.get(email="ada@example.org")
    assert f"Ada Lovelace est inscrit·e (code {registration.code})" in done.content.decode()
    again = client.post(add, {"name": "Ada Lovelace", "email": "ada@example.org"})
    assert again.status_code == 400
    assert "déjà inscrite" in again.content.decode()


def test_writing_to_registrants_from_the_page_sends_once_even_when_posted_twice(client, town):
    for n in range(3):
        RegistrationFactory(event=town.forum, email=f"p{n}@example.org")
    client.force_login(town.organizer)
    page = client.get(attendees_url()).content.decode()
    key = page.split('name="key" value="')[1].split('"')[0]
    form = {"audience": "confirmed", "subject": "Salle B", "body": "Rendez-vous en salle B.", "key": key}
    write = reverse("web:event-registrants-write", args=["forum"])
    first = client.post(write, form, follow=True).content.decode()
    assert "Message « Salle B » envoyé à 3 personnes." in first
    second = client.post(write, form, follow=True).content.decode()
    assert "déjà parti" in second
    assert Message.objects.filter(kind="event_message").count() == 3
    assert "Salle B" in client.get(attendees_url()).content.decode().split("Messages envoyés")[1]
    empty = client.post(write, {"audience": "confirmed", "subject": "", "body": "x", "key": "autre-cle-123"})
    assert empty.status_code == 400
    assert "Ce champ est obligatoire." in empty.content.decode()


def test_the_door_welcomes_then_says_already_in_and_refuses_with_a_reason(client, town):
    ada = RegistrationFactory(event=town.forum, name="Ada Lovelace")
    gone = RegistrationFactory(event=town.forum, name="Bob Parti")
    services.registration_cancel(registration=gone, actor=town.organizer)
    client.force_login(town.organizer)
    page = client.get(door_url())
    assert page.status_code == 200 and "no-cache" in page["Cache-Control"]
    assert 'autofocus' in page.content.decode()

    welcome = client.post(door_url(), {"code": ada.code.lower()}, follow=True).content.decode()
    assert "Bienvenue, Ada !" in welcome
    again = client.post(door_url(), {"code": ada.code}, follow=True).content.decode()
    assert "Déjà entré·e" in again and "est déjà entré·e à" in again
    refused = client.post(door_url(), {"code": gone.code}, follow=True).content.decode()
    assert "Entrée refusée" in refused and "Inscription annulée" in refused
    unknown = client.post(door_url(), {"code": "ZZZZ2222"}, follow=True).content.decode()
    assert "Code inconnu" in unknown
    malformed = client.post(door_url(), {"code": "??"})
    assert malformed.status_code == 400 and "Code mal formé" in malformed.content.decode()
    ada.refresh_from_db()
    assert ada.checked_in_at is not None
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1


def test_the_registration_page_shows_the_entry_code_and_its_qr_code_for_a_seat_only(client, town):
    seat = RegistrationFactory(event=town.forum)
    html = client.get(reverse("web:registration", args=[seat.token])).content.decode()
    assert seat.code in html and "<svg" in html
    # A full QR code (21 modules at least and 3 of border, 5 px each), not a Micro QR code.
    width = int(html.split('viewBox="0 0 ')[1].split(" ")[0])
    assert width >= (21 + 2 * 3) * 5
    services.registration_cancel(registration=seat, actor=town.organizer)
    html = client.get(reverse("web:registration", args=[seat.token])).content.decode()
    assert 'id="entry-code"' not in html


def test_another_organizations_organizer_gets_403_on_every_page_and_action(client, town):
    registration = RegistrationFactory(event=town.forum)
    outsider = member_of(OrganizationFactory(), Role.ORGANIZER)
    client.force_login(outsider)
    slug = town.forum.slug
    cancel = reverse("web:event-registration-cancel", args=[slug, registration.pk])
    gets = [attendees_url(), door_url(), cancel]
    posts = [
        (reverse("web:event-registration-add", args=[slug]), {"name": "X", "email": "x@example.org"}),
        (reverse("web:event-registration-cancel", args=[slug, registration.pk]), {}),
        (reverse("web:event-registrants-write", args=[slug]),
         {"audience": "all", "subject": "x", "body": "y", "key": "cle-de-test-1"}),
        (door_url(), {"code": registration.code}),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url, body in posts:
        assert client.post(url, body).status_code == 403, url
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED and registration.checked_in_at is None
    assert not EventMessage.objects.exists()
    assert Registration.objects.count() == 1
    # An event they cannot even see is a 404.
    draft = EventFactory(organization=town.apes, status=EventStatus.DRAFT, slug="brouillon")
    assert client.get(attendees_url(draft.slug)).status_code == 404
    assert client.get(door_url(draft.slug)).status_code == 404


def test_a_co_organizer_uses_the_door_and_a_coordinator_does_not(client, town):
    partner = OrganizationFactory()
    town.forum.co_organizers.add(partner)
    registration = RegistrationFactory(event=town.forum)
    client.force_login(member_of(partner, Role.ORGANIZER))
    assert "Bienvenue" in client.post(door_url(), {"code": registration.code}, follow=True).content.decode()
    client.force_login(town.coordinator)
    assert client.get(door_url()).status_code == 403


@pytest.mark.parametrize("registrations", [3, 80])
def test_the_attendance_sheet_lists_confirmed_registrants_by_name_with_signature_lines(
        client, town, registrations, django_assert_num_queries):
    town.forum.capacity = None
    town.forum.save()
    for n in range(registrations):
        RegistrationFactory(event=town.forum, name=f"Personne {n:03d}")
    RegistrationFactory(event=town.forum, name="Zoé Partie", status=RegistrationStatus.CANCELLED)
    RegistrationFactory(event=town.forum, name="alice Avant")
    sheet = reverse("web:event-attendance-sheet", args=["forum"])
    client.force_login(town.organizer)
    client.get(sheet)
    with django_assert_num_queries(7):
        html = client.get(sheet).content.decode()
    names = [row.split("</th>")[0] for row in html.split('<th scope="row">')[1:]]
    assert names[0] == "alice Avant" and len(names) == registrations + 1
    assert "Zoé Partie" not in html and "Signature" in html and "Structure" in html
    client.force_login(member_of(OrganizationFactory(), Role.ORGANIZER))
    assert client.get(sheet).status_code == 403


@pytest.mark.parametrize("entered", [2, 40])
def test_the_door_page_costs_the_same_queries_whatever_the_entries(client, town, entered,
                                                                    django_assert_num_queries):
    town.forum.capacity = None
    town.forum.save()
    for _ in range(entered):
        registration = RegistrationFactory(event=town.forum)
        attendance.registration_check_in(actor=town.organizer, event=town.forum, code=registration.code)
    client.force_login(town.organizer)
    client.get(door_url())
    with django_assert_num_queries(8):
        html = client.get(door_url()).content.decode()
    assert html.count('class="present-name"') == min(entered, 8)


def test_someone_without_a_registration_is_registered_and_let_in_at_the_door(client, town):
    town.forum.capacity = 1
    town.forum.registration_closes_at = town.forum.starts_at - timedelta(days=1)
    town.forum.save()
    walk_in = reverse("web:event-door-walk-in", args=["forum"])
    client.force_login(town.organizer)
    missing = client.post(walk_in, {"name": "Ada Lovelace", "email": ""})
    assert missing.status_code == 400 and "Ce champ est obligatoire." in missing.content.decode()
    html = client.post(walk_in, {"name": "Ada Lovelace", "email": "ada@example.org"},
                       follow=True).content.decode()
    assert "Bienvenue, Ada !" in html
    ada = Registration.objects.get(email="ada@example.org")
    assert ada.status == RegistrationStatus.CONFIRMED and ada.checked_in_at is not None
    full = client.post(walk_in, {"name": "Bob Martin", "email": "bob@example.org"},
                       follow=True).content.decode()
    assert "Entrée refusée" in full and "liste d&#x27;attente" in full
    assert Registration.objects.get(email="bob@example.org").checked_in_at is None
    client.force_login(member_of(OrganizationFactory(), Role.ORGANIZER))
    assert client.post(walk_in, {"name": "Eve", "email": "eve@example.org"}).status_code == 403


def test_the_door_takes_back_an_entry_recorded_by_mistake(client, town):
    wrong = RegistrationFactory(event=town.forum, name="Bob Martin")
    attendance.registration_check_in(actor=town.organizer, event=town.forum, code=wrong.code)
    undo = reverse("web:event-door-undo", args=["forum", wrong.pk])
    client.force_login(member_of(OrganizationFactory(), Role.ORGANIZER))
    assert client.post(undo).status_code == 403
    client.force_login(town.organizer)
    assert undo in client.get(door_url()).content.decode()
    html = client.post(undo, follow=True).content.decode()
    assert "Entrée de Bob Martin retirée" in html
    wrong.refresh_from_db()
    assert wrong.checked_in_at is None
    attendance.registration_check_in(actor=town.organizer, event=town.forum, code=wrong.code)
    assert client.post(undo, {"from": "list"})["Location"] == attendees_url()
