"""``/healthz``: is the database reachable, is the broker reachable, how deep is the outbox.

The status (200/503) depends on the database and the broker only: a deep outbox is
something to look at, not a reason for a load balancer to stop sending traffic.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from worker.outbox import outbox_stats

logger = logging.getLogger(__name__)

TIMEOUT = 2.0


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        logger.warning("healthz: database unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_broker() -> dict:
    started = time.monotonic()
    options = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "socket_connect_timeout": TIMEOUT,
        "socket_timeout": TIMEOUT,
        "max_retries": 0,
    }
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=TIMEOUT, transport_options=options
        ) as conn:
            # kombu compares the timeout with elapsed seconds: a float works; its stubs say int.
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT  # type: ignore[arg-type]
            )
            if conn.transport_cls == "redis" or conn.transport.driver_type == "redis":
                # The Redis transport's channel holds a client; the stubs know only the generic channel.
                conn.default_channel.client.ping()  # type: ignore[attr-defined]
    except Exception as exc:  # kombu wraps driver errors in several classes
        logger.warning("healthz: broker unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    if checks["database"]["ok"]:
        body["outbox"] = outbox_stats()
    return JsonResponse(body, status=200 if healthy else 503)
