"""What registrants and organizers receive: the outbox rows that events record."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from events import services
from events.models import Event
from worker.models import Message

pytestmark = pytest.mark.django_db


def test_the_confirmation_carries_the_event_for_the_calendar(world):
    registration = services.registration_create(event=world.event, name="Ada", email="ada@example.org")

    message = Message.objects.get(kind="registration_confirmed")
    assert message.essential is True and "<p>" in message.body_html
    [attachment, picture] = message.attachments
    assert attachment["mimetype"] == "text/calendar"
    assert picture["filename"] == f"entree-{registration.code}.png"
    [vevent] = Calendar.from_ical(attachment["content"]).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Forum Entreprendre autrement"
    assert vevent.decoded("DTSTART") == world.event.starts_at
    assert registration.token in message.body_text


def test_both_organizing_structures_hear_the_campaign_decision(world, login):
    world.event.campaign, world.event.moderation = world.campaign, "pending"
    world.event.save()
    outsider_of_the_event = world.outsider

    response = login(world.coordinator).post(f"/api/v1/events/{world.event.id}/reject/",
                                             {"comment": "Hors du thème de la campagne."}, format="json")
    assert response.status_code == 200, response.json()

    decisions = Message.objects.filter(kind="campaign_decision")
    recipients = set(decisions.values_list("to", flat=True))
    assert {world.organizer.email, world.co_organizer.email, world.lead_admin.email} == recipients
    assert outsider_of_the_event.email not in recipients
    message = decisions.get(to=world.organizer.email)
    assert "Hors du thème de la campagne." in message.body_text
    assert message.subject.startswith("Événement refusé")

    event = Event.objects.get(id=world.event.id)
    services.event_update(actor=world.organizer, event=event, title="Forum de l'ESS")
    login(world.coordinator).post(f"/api/v1/events/{world.event.id}/approve/", {}, format="json")
    assert decisions.filter(subject__startswith="Événement approuvé").count() == 3
