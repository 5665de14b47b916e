"""Background work of shared events."""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings

from events import images
from events.reminders import BATCH, reminders_send_due


@shared_task(name="events.send_due_reminders", acks_late=True, ignore_result=True)
def send_due_reminders() -> int:
    """Record the messages of every due reminder, a batch per transaction (beat, every minute).

    Idempotent and safe to run in parallel: each batch locks its rows with SKIP
    LOCKED and marks them in the transaction that records their messages. The
    outbox then sends them. Stops after half the outbox lease, the next tick goes on.
    """
    budget = settings.OUTBOX_LEASE_SECONDS / 2
    started = time.monotonic()
    handled = 0
    while time.monotonic() - started < budget:
        batch = reminders_send_due()
        handled += batch
        if batch < BATCH:
            break
    return handled


@shared_task(name="events.delete_unused_images", ignore_result=True)
def delete_unused_images() -> int:
    """Delete event images no event uses any more, a day after they were stored (beat, daily).
    Idempotent: a second run finds nothing left to delete."""
    return images.unused_delete()
