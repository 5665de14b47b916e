"""Exact capacity and exclusive rooms under real parallel transactions (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from events import services
from events.models import Event, ModerationDecision, Registration, RegistrationStatus
from network.models import Person, Role
from tests.events.factories import CampaignFactory, EventFactory, RoomFactory, in_days
from tests.factories import OrganizationFactory, member_of
from tests.services import require_postgres
from worker.models import Message

# The database serves other test runs too: 25 threads with a connection each
# share the 200 registrations, all released by one barrier.
THREADS = 25


def _run_in_threads(jobs, threads: int):
    """Run ``jobs`` (callables) spread over ``threads`` threads, each with its own connection."""
    barrier = threading.Barrier(threads)
    results, lock = [], threading.Lock()

    def worker(share):
        try:
            barrier.wait()
            for job in share:
                try:
                    outcome = job()
                except Exception as error:  # the test inspects every outcome, errors included
                    outcome = error
                with lock:
                    results.append(outcome)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(jobs[i::threads],)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(120)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_hundred_parallel_registrations_fill_fifty_seats_and_a_waitlist_of_one_fifty():
    require_postgres()
    event = EventFactory(capacity=50)
    people = Person.objects.bulk_create(
        [Person(email=f"parallele{n}@example.org", full_name=f"P {n}") for n in range(200)])

    results = _run_in_threads(
        [lambda p=p: services.registration_create(event=event, person=p) for p in people], THREADS)

    assert all(isinstance(r, Registration) for r in results), [r for r in results if isinstance(r, Exception)]
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    waitlisted = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
    assert confirmed.count() == 50
    assert sorted(waitlisted.values_list("position", flat=True)) == list(range(1, 151))
    assert sorted(r.position for r in results if r.status == "waitlisted") == list(range(1, 151))
    head = waitlisted.get(position=1)

    services.registration_cancel(registration=confirmed.first(), actor=None, token=confirmed.first().token)

    assert confirmed.count() == 50
    assert sorted(waitlisted.values_list("position", flat=True)) == list(range(1, 150))
    head.refresh_from_db()
    assert head.status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_two_parallel_bookings_of_one_room_at_overlapping_times_let_exactly_one_through():
    require_postgres()
    lead = OrganizationFactory()
    organizer = member_of(lead, Role.ORGANIZER)
    room = RoomFactory(space__operator=lead)

    def book(title, start_hour):
        return lambda: services.event_create(
            actor=Person.objects.get(pk=organizer.pk), organization=lead, title=title, room=room,
            starts_at=in_days(5, start_hour), ends_at=in_days(5, start_hour + 2))

    results = _run_in_threads([book("Atelier A", 14), book("Atelier B", 15)], threads=2)

    booked = [r for r in results if isinstance(r, Event)]
    refused = [r for r in results if isinstance(r, services.RoomTaken)]
    assert (len(booked), len(refused)) == (1, 1), results
    assert booked[0].title in refused[0].detail
    assert Event.objects.filter(room=room).count() == 1


@pytest.mark.django_db
def test_the_database_itself_refuses_an_overlapping_booking_but_not_a_cancelled_one():
    require_postgres()
    room = RoomFactory()
    EventFactory(room=room, starts_at=in_days(3, 10), ends_at=in_days(3, 12))
    EventFactory(room=room, starts_at=in_days(3, 12), ends_at=in_days(3, 13))  # touching is fine
    EventFactory(room=room, starts_at=in_days(3, 11), ends_at=in_days(3, 12), status="cancelled",
                 cancel_reason="Reporté")
    with pytest.raises(IntegrityError, match="event_room_no_overlap"), transaction.atomic():
        EventFactory(room=room, starts_at=in_days(3, 11), ends_at=in_days(3, 11) + timedelta(minutes=30))


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_approving_the_same_events_at_once_decide_each_once_without_deadlock():
    require_postgres()
    cress = OrganizationFactory(region="Hauts-de-France")
    campaign = CampaignFactory(coordinators=[cress])
    lead = OrganizationFactory()
    member_of(lead, Role.ORGANIZER)
    events = [EventFactory(organization=lead, campaign=campaign, moderation="pending") for _ in range(6)]
    coordinators = [member_of(cress, Role.COORDINATOR) for _ in range(2)]

    # Each asks for the events in the opposite order: locks are taken by id all the same.
    results = _run_in_threads([
        lambda: services.events_moderate(actor=coordinators[0], events=events, approve=True, comment="Oui"),
        lambda: services.events_moderate(actor=coordinators[1], events=events[::-1], approve=True,
                                         comment="Oui"),
    ], 2)

    assert all(isinstance(r, list) for r in results), results
    assert set(Event.objects.filter(campaign=campaign).values_list("moderation", flat=True)) == {"approved"}
    assert ModerationDecision.objects.filter(campaign=campaign).count() == 6
    assert Message.objects.filter(kind="campaign_decision").count() == 6
