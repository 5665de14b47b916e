"""The door under real parallel transactions (PostgreSQL): one entry per code."""

from __future__ import annotations

import pytest

from events import attendance
from events.models import Registration
from network.models import Role
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.test_concurrency import _run_in_threads
from tests.factories import OrganizationFactory, member_of
from tests.services import require_postgres

SCANS = 12


@pytest.mark.django_db(transaction=True)
def test_twelve_phones_scanning_one_code_at_once_record_one_entry():
    require_postgres()
    organization = OrganizationFactory()
    event = EventFactory(organization=organization)
    doors = [member_of(organization, Role.ORGANIZER) for _ in range(SCANS)]
    registration = RegistrationFactory(event=event)

    results = _run_in_threads(
        [lambda door=door: attendance.registration_check_in(actor=door, event=event, code=registration.code)
         for door in doors], SCANS)

    assert all(isinstance(r, attendance.DoorEntry) for r in results), results
    assert sum(r.first_time for r in results) == 1
    registration.refresh_from_db()
    assert {r.at for r in results} == {registration.checked_in_at}
    winner = next(r for r in results if r.first_time)
    assert registration.checked_in_by_id == winner.registration.checked_in_by_id
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1
