"""A person downloads everything Essaim holds about them, and can erase it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from events import services
from events.models import Registration, RegistrationStatus
from network.models import Person, Role
from tests.events.factories import EventFactory, in_days
from tests.factories import OrganizationFactory, PersonFactory, member_of
from worker.models import Message

pytestmark = pytest.mark.django_db


def test_export_lists_account_roles_registrations_and_messages(login):
    person = member_of(OrganizationFactory(slug="apes"), Role.ORGANIZER, email="alex@example.org")
    event = EventFactory(title="Forum Entreprendre autrement", capacity=10)
    services.registration_create(event=event, person=person)
    response = login(person).get("/api/v1/me/data/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["account"]["email"] == "alex@example.org"
    assert data["roles"] == [{"organization": "apes", "role": "organizer"}]
    assert [r["event"] for r in data["events"]["registrations"]] == ["Forum Entreprendre autrement"]
    assert data["worker"]["messages"], "the confirmation message is part of the export"


def test_erasure_frees_the_seat_for_the_waitlist_and_keeps_past_lines_anonymous(login):
    person = PersonFactory(email="alex@example.org")
    upcoming = EventFactory(capacity=1)
    past = EventFactory(starts_at=in_days(-30))
    mine = services.registration_create(event=upcoming, person=person)
    waiting = services.registration_create(event=upcoming, name="Sam", email="sam@example.org")
    past_line = Registration.objects.create(event=past, person=person, name=person.full_name,
                                            email=person.email, status=RegistrationStatus.CONFIRMED)
    assert waiting.status == RegistrationStatus.WAITLISTED

    response = login(person).delete("/api/v1/me/", {"password": "motdepasse-test"}, format="json")
    assert response.status_code == 204
    assert not Person.objects.filter(email="alex@example.org").exists()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    mine.refresh_from_db()
    past_line.refresh_from_db()
    for line in (mine, past_line):
        assert line.person_id is None
        assert "alex" not in line.email and line.name == "Personne supprimée"
    assert past_line.status == RegistrationStatus.CONFIRMED
    assert not Message.objects.filter(to="alex@example.org").exists()


def test_erasure_needs_the_password(login):
    person = PersonFactory()
    response = login(person).delete("/api/v1/me/", {"password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["fields"]
    assert Person.objects.filter(pk=person.pk).exists()


def test_the_last_admin_of_an_organization_cannot_erase_their_account(login):
    organization = OrganizationFactory(name="APES")
    admin = member_of(organization, Role.ADMIN)
    response = login(admin).delete("/api/v1/me/", {"password": "motdepasse-test"}, format="json")
    assert response.status_code == 409
    assert "APES" in response.json()["detail"]
    assert Person.objects.filter(pk=admin.pk).exists()


def test_export_writes_moments_at_local_time_like_the_rest_of_the_api(login):
    """An event at 18:30 in Martinique reads 18:30 there, not 22:30 UTC; the rest at the site's time."""
    person = PersonFactory()
    event = EventFactory(starts_at=datetime(2030, 1, 10, 18, 30, tzinfo=ZoneInfo("America/Martinique")),
                         time_zone="America/Martinique", capacity=10)
    services.registration_create(event=event, person=person)
    data = login(person).get("/api/v1/me/data/").json()
    assert data["events"]["registrations"][0]["starts_at"] == "2030-01-10T18:30:00-04:00"
    assert data["account"]["date_joined"].endswith(("+01:00", "+02:00"))
    assert data["exported_at"].endswith(("+01:00", "+02:00"))


def test_export_has_the_entry_code_the_time_of_entry_and_the_messages_written_to_registrants(login):
    from events import attendance

    organization = OrganizationFactory()
    organizer = member_of(organization, Role.ORGANIZER, email="orga@example.org")
    event = EventFactory(organization=organization, title="Soirée des adhérent·es")
    mine = services.registration_create(event=event, person=organizer)
    attendance.registration_check_in(actor=organizer, event=event, code=mine.code)
    attendance.registrants_write(actor=organizer, event=event, audience="all", subject="Ordre du jour",
                                 body="Bilan de l'année.")
    data = login(organizer).get("/api/v1/me/data/").json()["events"]
    [registration] = data["registrations"]
    assert registration["entry_code"] == mine.code and registration["checked_in_at"]
    written = [(m["subject"], m["recipients"]) for m in data["messages_to_registrants"]]
    assert written == [("Ordre du jour", 1)]


def test_an_agenda_imported_in_ones_name_is_in_the_export_and_stays_with_the_organization(login):
    from imports.models import Source, SourceKind

    apes = OrganizationFactory(slug="apes")
    person = member_of(apes, Role.ORGANIZER, email="alex@example.org")
    source = Source.objects.create(organization=apes, name="Agenda de l'APES", kind=SourceKind.URL,
                                   url="https://apes.example.org/agenda.ics", owner=person)
    data = login(person).get("/api/v1/me/data/").json()
    assert data["imports"]["sources"] == [{
        "organization": "apes", "name": "Agenda de l'APES", "kind": "url",
        "url": "https://apes.example.org/agenda.ics", "file": "",
        "created_at": data["imports"]["sources"][0]["created_at"]}]
    assert login(person).delete("/api/v1/me/", {"password": "motdepasse-test"},
                                format="json").status_code == 204
    source.refresh_from_db()
    assert source.owner is None and source.organization == apes
