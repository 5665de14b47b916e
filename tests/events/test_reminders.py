"""Reminders before events: when they are due, that they follow the event, and that each
is recorded once (the real worker sending them is in tests/worker/test_reminders_real_worker.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events import services
from events.models import Event, Registration, Reminder
from events.reminders import due_at, reminders_send_due
from events.tasks import send_due_reminders
from network.models import Person
from tests.events.factories import EventFactory
from tests.services import require_postgres, run_in_threads
from worker.models import Message

PARIS = ZoneInfo("Europe/Paris")

pytestmark = pytest.mark.django_db


def come_due(event: Event) -> None:
    """Time passes: every reminder of ``event`` is due now."""
    Reminder.objects.filter(registration__event=event).update(due_at=timezone.now() - timedelta(minutes=1))


def reminders_sent() -> list[Message]:
    return list(Message.objects.filter(kind="event_reminder").order_by("id"))


def register(event: Event, email: str = "ada@example.org", **fields) -> Registration:
    return services.registration_create(event=event, name="Ada", email=email, **fields)


def test_a_registration_gets_the_day_before_at_nine_and_two_hours_before(world):
    start = datetime(2027, 1, 14, 18, 30, tzinfo=PARIS)
    world.event.starts_at, world.event.ends_at = start, start + timedelta(hours=2)
    world.event.save()

    registration = register(world.event)

    assert {r.kind: r.due_at.astimezone(PARIS) for r in registration.reminders.all()} == {
        "1d@09:00": datetime(2027, 1, 13, 9, 0, tzinfo=PARIS),
        "2h": datetime(2027, 1, 14, 16, 30, tzinfo=PARIS),
    }


def test_the_day_before_reminder_keeps_local_time_across_the_dst_change():
    # Summer time begins on Sunday 28 March 2027: 9:00 on Saturday is UTC+1, 18:30 on Sunday UTC+2.
    event = Event(starts_at=datetime(2027, 3, 28, 18, 30, tzinfo=PARIS), time_zone="Europe/Paris")
    assert due_at("1d@09:00", event).astimezone(ZoneInfo("UTC")) == datetime(
        2027, 3, 27, 8, 0, tzinfo=ZoneInfo("UTC"))
    assert due_at("2h", event).astimezone(PARIS).hour == 16
    cayenne = Event(starts_at=datetime(2027, 3, 28, 18, 30, tzinfo=ZoneInfo("America/Cayenne")),
                    time_zone="America/Cayenne")
    assert due_at("1d@09:00", cayenne) == datetime(2027, 3, 27, 9, 0, tzinfo=ZoneInfo("America/Cayenne"))


def test_a_due_reminder_is_recorded_once_in_the_registrants_language(world):
    english = Person.objects.create_user(email="grace@example.org", password="x", full_name="Grace",
                                         language="en")
    register(world.event)
    register(world.event, person=english)
    come_due(world.event)

    assert send_due_reminders() == 4
    assert reminders_sends_nothing_more()
    sent = reminders_sent()
    assert len(sent) == 4 and len({m.key for m in sent}) == 4
    french = next(m for m in sent if m.to == "ada@example.org")
    assert french.subject.startswith("Rappel : « Forum Entreprendre autrement »")
    assert "Libérez votre place" in french.body_text
    assert french.essential is False and "/notifications/" in french.body_text
    assert "<a href=" in french.body_html and "Ne plus recevoir ces avis" in french.body_html
    grace = next(m for m in sent if m.to == "grace@example.org")
    assert grace.language == "en" and grace.subject.startswith("Reminder:")
    assert Reminder.objects.filter(sent_at=None).count() == 0


def reminders_sends_nothing_more() -> bool:
    before = Message.objects.count()
    reminders_send_due()
    return Message.objects.count() == before


def test_a_moved_event_moves_its_reminders_and_reminds_again_for_the_new_date(world, login):
    registration = register(world.event)
    come_due(world.event)
    send_due_reminders()
    assert len(reminders_sent()) == 2

    new_start = world.event.starts_at + timedelta(days=3)
    response = login(world.organizer).patch(f"/api/v1/events/{world.event.id}/", {
        "starts_at": new_start.isoformat(), "ends_at": (new_start + timedelta(hours=2)).isoformat()},
        format="json")
    assert response.status_code == 200, response.json()

    rows = {r.kind: r for r in registration.reminders.all()}
    assert rows["2h"].due_at == new_start - timedelta(hours=2) and rows["2h"].sent_at is None
    local_start = new_start.astimezone(PARIS)
    assert rows["1d@09:00"].due_at.astimezone(PARIS) == datetime.combine(
        local_start.date() - timedelta(days=1), datetime.min.time().replace(hour=9), PARIS)
    come_due(world.event)
    send_due_reminders()
    assert len(reminders_sent()) == 4, "the new date is reminded, under new Message-IDs"


def test_cancelled_registrations_and_events_get_no_reminder(world, login):
    kept, dropped = register(world.event), register(world.event, email="bob@example.org")
    services.registration_cancel(registration=dropped, token=dropped.token)
    assert not dropped.reminders.exists()
    assert kept.reminders.count() == 2

    other = EventFactory(organization=world.lead)
    register(other, email="carol@example.org")
    come_due(world.event)
    come_due(other)
    response = login(world.organizer).post(f"/api/v1/events/{world.event.id}/cancel/",
                                           {"reason": "Salle inondée"}, format="json")
    assert response.status_code == 200
    # The reminders of the cancelled event went with it; the other event's are sent.
    send_due_reminders()
    assert [m.to for m in reminders_sent()] == ["carol@example.org"] * 2


def test_no_reminder_for_an_event_already_started(world):
    register(world.event)
    come_due(world.event)
    Event.objects.filter(id=world.event.id).update(starts_at=timezone.now() - timedelta(minutes=5))

    assert send_due_reminders() == 2
    assert reminders_sent() == []
    assert not Reminder.objects.exists()


def test_a_registration_too_late_for_a_reminder_gets_only_what_is_still_ahead(world):
    world.event.starts_at = timezone.now() + timedelta(hours=3)
    world.event.ends_at = world.event.starts_at + timedelta(hours=2)
    world.event.save()
    registration = register(world.event)
    assert list(registration.reminders.values_list("kind", flat=True)) == ["2h"]


def test_promoted_from_the_waitlist_gets_reminders(world):
    world.event.capacity = 1
    world.event.save()
    first = register(world.event)
    waiting = register(world.event, email="bob@example.org")
    assert not waiting.reminders.exists()
    services.registration_cancel(registration=first, token=first.token)
    assert waiting.reminders.count() == 2


def test_organizers_choose_the_reminders_of_their_event(world, login):
    registration = register(world.event)
    client = login(world.organizer)

    response = client.patch(f"/api/v1/events/{world.event.id}/", {"reminders": ["3d@10:00", "30m", "30m"]},
                            format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["reminders"] == ["3d@10:00", "30m"]
    assert sorted(registration.reminders.values_list("kind", flat=True)) == ["30m", "3d@10:00"]

    response = client.patch(f"/api/v1/events/{world.event.id}/", {"reminders": []}, format="json")
    assert response.status_code == 200
    assert not registration.reminders.exists()


@pytest.mark.parametrize("rules", [["la veille"], ["0h"], ["45d@09:00"], ["1d@25:00"], ["2m"],
                                   ["1h", "2h", "3h", "4h", "5h", "6h"], "2h"])
def test_a_bad_reminder_rule_is_a_400_naming_the_field(world, login, rules):
    response = login(world.organizer).patch(f"/api/v1/events/{world.event.id}/", {"reminders": rules},
                                            format="json")
    assert response.status_code == 400
    assert "reminders" in response.json()["fields"]
    world.event.refresh_from_db()
    assert world.event.reminders == ["1d@09:00", "2h"]


def test_an_outsider_cannot_change_the_reminders(world, login):
    response = login(world.outsider).patch(f"/api/v1/events/{world.event.id}/", {"reminders": ["1h"]},
                                           format="json")
    assert response.status_code == 403
    world.event.refresh_from_db()
    assert world.event.reminders == ["1d@09:00", "2h"]


@pytest.mark.django_db(transaction=True)
def test_scans_running_at_the_same_time_record_each_reminder_once():
    require_postgres()
    event = EventFactory(capacity=None)
    registrations = Registration.objects.bulk_create(
        [Registration(event=event, name=f"P {n}", email=f"p{n}@example.org", status="confirmed")
         for n in range(150)])
    Reminder.objects.bulk_create(
        [Reminder(registration=r, kind=kind, due_at=timezone.now() - timedelta(minutes=1))
         for r in registrations for kind in ("1d@09:00", "2h")])
    def scan(_i):
        handled = 0
        while count := reminders_send_due(limit=20):
            handled += count
        return handled

    results = run_in_threads(4, scan)

    assert all(isinstance(n, int) for n in results), results
    assert sum(results) == 300
    assert Message.objects.filter(kind="event_reminder").count() == 300
    assert not Reminder.objects.filter(sent_at=None).exists()
