"""The observatory's figures, computed by the worker."""

from __future__ import annotations

from celery import shared_task

from observatory import snapshots


@shared_task(name="observatory.refresh_snapshot", ignore_result=True, time_limit=600, soft_time_limit=570)
def refresh_snapshot(kind: str, key: str) -> None:
    """Compute and store one snapshot. Idempotent: computing twice stores the same figures."""
    snapshots.snapshot_refresh(kind=kind, key=key)


@shared_task(name="observatory.refresh_daily", ignore_result=True, time_limit=3600, soft_time_limit=3500)
def refresh_daily() -> int:
    """Every snapshot of every kind, once a day (beat)."""
    return snapshots.snapshots_refresh_daily()


@shared_task(name="observatory.refresh_requested", ignore_result=True)
def refresh_requested() -> int:
    """Snapshots asked for whose wake-up was lost (beat)."""
    return snapshots.snapshots_refresh_requested()
