"""Sending the outbox.

``send_message`` sends one message as soon as it is recorded; ``send_pending``
runs every minute (``worker/schedule.py``) and sends whatever is due: messages
whose wake-up was never enqueued (broker down), whose worker died, or whose last
attempt failed and waited its backoff. Both only send a row they claimed, so
running either any number of times sends each message once.
"""

from __future__ import annotations

import logging
import time

import kombu.pools
from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from worker.celery import app
from worker.models import Message
from worker.outbox import message_claim, message_deliver, messages_claim_due, messages_release

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# Recording a message must not wait on a broker that is down: one quick attempt, then the
# periodic scan is the fallback.
WAKE_TIMEOUT = 1.0
# The outbox tasks' own limits, within their claims' lease (settings.OUTBOX_TASK_TIME_LIMIT).
OUTBOX_LIMITS = {"time_limit": settings.OUTBOX_TASK_TIME_LIMIT,
                 "soft_time_limit": settings.OUTBOX_TASK_TIME_LIMIT - 10}


def _wake_connection():
    return app.connection_for_write(
        connect_timeout=WAKE_TIMEOUT,
        transport_options={"max_retries": 0, "socket_connect_timeout": WAKE_TIMEOUT,
                           "socket_timeout": WAKE_TIMEOUT},
    )


def _enqueue(task, args: tuple = (), **options) -> None:
    """Publish ``task`` with one quick attempt; a broker that is down is logged, not raised."""
    try:
        # A pool of its own: the app's pool retries a lost broker for seconds per call.
        with kombu.pools.connections[_wake_connection()].acquire(block=True, timeout=WAKE_TIMEOUT) as conn:
            task.apply_async(args, connection=conn, retry=False, **options)
    except (OperationalError, RedisError, OSError) as exc:
        logger.warning("outbox: cannot enqueue %s%s, broker unreachable (%s); the scan will do it",
                       task.name, args, exc)


def wake_for_message(message_id: int) -> None:
    """Enqueue the send of one message; a broker failure is logged, never raised:
    the message row is already committed and the periodic scan will send it."""
    _enqueue(send_message, (message_id,))


def wake_for_scan() -> None:
    """Enqueue a scan of the outbox now rather than at the next beat; never raises."""
    _enqueue(send_pending, expires=settings.OUTBOX_SCAN_SECONDS)


@shared_task(name="worker.send_message", acks_late=True, ignore_result=True, **OUTBOX_LIMITS)
def send_message(message_id: int) -> None:
    """Send one recorded message, unless it is already sent or being sent."""
    if not message_claim(message_id=message_id):
        return
    connection = get_connection()
    try:
        message_deliver(message=Message.objects.get(id=message_id), connection=connection)
    finally:
        connection.close()


@shared_task(name="worker.send_pending", acks_late=True, ignore_result=True, bind=True,
             **OUTBOX_LIMITS)
def send_pending(self) -> int:
    """Claim due messages in batches and send them; return how many were sent.

    When the first batch is full there is a backlog (a burst of reminders, the hour
    after a broker outage): the scan enqueues one more scan, which does the same once
    it starts, so a backlog is drained by every free worker process, not one.

    A claim is used for at most half its lease: past that, the rest of the batch is
    released for the next scan rather than sent late, so a lease never runs out while
    its message is being sent (which would let a second worker send it too).
    """
    budget = settings.OUTBOX_LEASE_SECONDS / 2
    started = time.monotonic()
    sent = 0
    connection = get_connection()
    try:
        first = True
        while time.monotonic() - started < budget:
            ids = messages_claim_due(limit=BATCH_SIZE)
            if not ids:
                break
            if first and len(ids) == BATCH_SIZE:
                queue = (self.request.delivery_info or {}).get("routing_key")
                _enqueue(send_pending, queue=queue, expires=settings.OUTBOX_SCAN_SECONDS)
            first = False
            claimed_at = time.monotonic()
            batch = list(Message.objects.filter(id__in=ids).order_by("created_at", "id"))
            for index, message in enumerate(batch):
                if time.monotonic() - claimed_at >= budget:
                    messages_release(message_ids=[m.id for m in batch[index:]])
                    return sent
                sent += message_deliver(message=message, connection=connection)
    finally:
        connection.close()
    return sent
