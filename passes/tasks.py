"""Background work of the coworking pass."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from passes import services


@shared_task(name="passes.auto_checkout")
def auto_checkout() -> int:
    """Check out whoever is still checked in after their space closed (beat, every 15 minutes).

    Idempotent: each check-in is claimed by a conditional update, and the
    departure recorded is the closing time, whenever the task runs.
    """
    return services.checkins_close_for_closing_time(now=timezone.now())


@shared_task(name="passes.expire")
def expire() -> int:
    """Mark passes past their validity as expired (beat, a few times a day; idempotent)."""
    return services.passes_expire(today=timezone.localdate())


@shared_task(name="passes.notify_expiring")
def notify_expiring() -> int:
    """Record the reminders of passes ending within a week (beat, a few times a day; idempotent)."""
    return services.passes_notify_expiring(today=timezone.localdate())


@shared_task(name="passes.close_settlements")
def close_settlements() -> int:
    """Close last month's settlement of every network, from ``SETTLEMENT_CLOSE_DAY`` on
    (beat, a few times a day; idempotent), which tells the member spaces."""
    closed = services.settlements_close_due(today=timezone.localdate(),
                                            close_day=settings.SETTLEMENT_CLOSE_DAY)
    return len(closed)
