"""Waking the worker: publishing the outbox's tasks, by name, with one quick attempt.

Recording a message (``worker/outbox.py``) and the tasks that send it
(``worker/tasks.py``) both wake the worker through here; this module imports
neither, so imports run one way: tasks → outbox → wake. A wake-up that cannot
reach the broker is logged, never raised: the rows are committed already and
the periodic scan sends them.
"""

from __future__ import annotations

import logging

import kombu.pools
from django.conf import settings
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from worker.celery import app

logger = logging.getLogger(__name__)

SEND_MESSAGE = "worker.send_message"
SEND_PENDING = "worker.send_pending"
# Recording a message must not wait on a broker that is down: one quick attempt, then the
# periodic scan is the fallback.
WAKE_TIMEOUT = 1.0


def _wake_connection():
    return app.connection_for_write(
        connect_timeout=WAKE_TIMEOUT,
        transport_options={"max_retries": 0, "socket_connect_timeout": WAKE_TIMEOUT,
                           "socket_timeout": WAKE_TIMEOUT},
    )


def enqueue(task_name: str, args: tuple = (), **options) -> None:
    """Publish the task named ``task_name`` with one quick attempt; a broker that is down
    is logged, not raised."""
    try:
        # A pool of its own: the app's pool retries a lost broker for seconds per call.
        with kombu.pools.connections[_wake_connection()].acquire(block=True, timeout=WAKE_TIMEOUT) as conn:
            app.send_task(task_name, args, connection=conn, retry=False, **options)
    except (OperationalError, RedisError, OSError) as exc:
        logger.warning("outbox: cannot enqueue %s%s, broker unreachable (%s); the scan will do it",
                       task_name, args, exc)


def wake_for_message(message_id: int) -> None:
    """Enqueue the send of one message; never raises."""
    enqueue(SEND_MESSAGE, (message_id,))


def wake_for_scan() -> None:
    """Enqueue a scan of the outbox now rather than at the next beat; never raises."""
    enqueue(SEND_PENDING, expires=settings.OUTBOX_SCAN_SECONDS)
