"""Co-organizations set up before consent was asked stay, as accepted requests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

BEFORE = [("events", "0003_reminders")]
AFTER = [("events", "0004_co_organization")]


def test_existing_co_organizers_become_accepted_requests_without_a_decider():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organization = old.get_model("network", "Organization")
    lead = Organization.objects.create(name="APES", slug="apes-migration")
    partner = Organization.objects.create(name="MEL", slug="mel-migration")
    start = timezone.now() + timedelta(days=3)
    event = old.get_model("events", "Event").objects.create(
        title="Forum", slug="forum-migration", organization=lead, starts_at=start,
        ends_at=start + timedelta(hours=2))
    event.co_organizers.add(partner)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps
    request = new.get_model("events", "CoOrganization").objects.get()
    assert (request.event_id, request.organization_id, request.status) == (event.pk, partner.pk, "accepted")
    assert request.decided_by_id is None and request.decided_at is None
    assert request.requested_at == event.created_at
