"""Sending the outbox.

``send_message`` sends one message as soon as it is recorded; ``send_pending``
runs every minute (``worker/schedule.py``) and sends whatever is due: messages
whose wake-up was never enqueued (broker down), whose worker died, or whose last
attempt failed and waited its backoff. Both only send a row they claimed, so
running either any number of times sends each message once.
"""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection

from worker import wake
from worker.models import Message
from worker.outbox import Outcome, message_claim, message_deliver, messages_claim_due, messages_release
from worker.wake import SEND_MESSAGE, SEND_PENDING

BATCH_SIZE = 100
# The outbox tasks' own limits (settings.OUTBOX_TASK_TIME_LIMIT): within the lease of the
# message being sent. The soft limit, caught while waiting for the server's answer to a
# body, records an unknown outcome.
OUTBOX_LIMITS = {"time_limit": settings.OUTBOX_TASK_TIME_LIMIT,
                 "soft_time_limit": settings.OUTBOX_TASK_TIME_LIMIT - 10}
# A batch's claims are given back only this long before their lease would end: later,
# another scan may hold them already.
RELEASE_MARGIN = 10


@shared_task(name=SEND_MESSAGE, acks_late=True, ignore_result=True, **OUTBOX_LIMITS)
def send_message(message_id: int) -> None:
    """Send one recorded message, unless it is already sent or being sent."""
    if not message_claim(message_id=message_id):
        return
    connection = get_connection()
    try:
        message_deliver(message=Message.objects.get(id=message_id), connection=connection)
    finally:
        connection.close()


@shared_task(name=SEND_PENDING, acks_late=True, ignore_result=True, bind=True, **OUTBOX_LIMITS)
def send_pending(self) -> int:
    """Claim due messages in batches and send them; return how many were sent.

    When the first batch is full there is a backlog (a burst of reminders, the hour
    after a broker outage): the scan enqueues one more scan, which does the same once
    it starts, so a backlog is drained by every free worker process, not one.

    A batch's claim is used for at most half its lease: past that, the rest of the batch
    is left for the next scan rather than sent late. The message being sent is claimed
    for longer than the task may run (``message_deliver``), so however slow the mail
    server, no second worker sends it meanwhile.
    """
    lease = settings.OUTBOX_LEASE_SECONDS
    started = time.monotonic()
    sent = 0
    connection = get_connection()
    try:
        first = True
        while time.monotonic() - started < lease / 2:
            ids = messages_claim_due(limit=BATCH_SIZE)
            if not ids:
                break
            if first and len(ids) == BATCH_SIZE:
                queue = (self.request.delivery_info or {}).get("routing_key")
                wake.enqueue(SEND_PENDING, queue=queue, expires=settings.OUTBOX_SCAN_SECONDS)
            first = False
            claimed_at = time.monotonic()
            batch = list(Message.objects.filter(id__in=ids).order_by("created_at", "id"))
            for index, message in enumerate(batch):
                held = time.monotonic() - claimed_at
                if held >= lease / 2:
                    if held < lease - RELEASE_MARGIN:
                        messages_release(message_ids=[m.id for m in batch[index:]])
                    return sent
                sent += message_deliver(message=message, connection=connection) == Outcome.SENT
    finally:
        connection.close()
    return sent
