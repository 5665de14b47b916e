"""Computing, storing and reading snapshots (see :class:`observatory.models.Snapshot`).

Each kind of figures registers its computation with :func:`computes`: a function of the
snapshot's key returning JSON-ready data, and a function listing the keys to refresh every
day. The worker computes (daily, and when a coordinator asks); pages and the API only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from observatory.models import Snapshot

# A request whose wake-up was lost (broker down) is picked up by the beat after this.
REFRESH_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Kind:
    compute: Callable[[str], dict]
    daily_keys: Callable[[], Iterable[str]]


KINDS: dict[str, Kind] = {}


def computes(kind: str, *, daily_keys: Callable[[], Iterable[str]]):
    """Register the decorated function as the computation of ``kind``'s snapshots."""

    def register(compute: Callable[[str], dict]) -> Callable[[str], dict]:
        KINDS[kind] = Kind(compute=compute, daily_keys=daily_keys)
        return compute

    return register


def snapshot_read(*, kind: str, key: str) -> Snapshot | None:
    """The stored snapshot, or None before the worker first computed it."""
    return Snapshot.objects.filter(kind=kind, key=key, computed_at__isnull=False).first()


def snapshot_refresh(*, kind: str, key: str, now: datetime | None = None) -> Snapshot:
    """Compute ``kind``'s figures for ``key`` and store them (the worker's side). Idempotent."""
    data = KINDS[kind].compute(key)
    snapshot, _created = Snapshot.objects.update_or_create(
        kind=kind, key=key,
        defaults={"data": data, "computed_at": now or timezone.now(), "requested_at": None},
    )
    return snapshot


def snapshot_request(*, kind: str, key: str, now: datetime | None = None) -> Snapshot:
    """Ask the worker for fresh figures (a coordinator's "recalculer", or a first visit);
    answered at once with what is stored, refreshed once the worker is done."""
    from observatory.tasks import refresh_snapshot

    assert kind in KINDS, f"unknown snapshot kind {kind}"
    snapshot, _created = Snapshot.objects.get_or_create(kind=kind, key=key)
    if snapshot.requested_at is None:
        Snapshot.objects.filter(pk=snapshot.pk).update(requested_at=now or timezone.now())
        transaction.on_commit(lambda: refresh_snapshot.delay(kind, key))
    return snapshot


def snapshots_refresh_daily(*, now: datetime | None = None) -> int:
    """Refresh every kind's daily keys; returns how many snapshots were stored."""
    count = 0
    for kind, registered in KINDS.items():
        for key in registered.daily_keys():
            snapshot_refresh(kind=kind, key=key, now=now)
            count += 1
    return count


def snapshots_refresh_requested(*, now: datetime | None = None) -> int:
    """The safety net: refresh snapshots requested a while ago and still waiting."""
    late = (now or timezone.now()) - REFRESH_AFTER
    waiting = list(Snapshot.objects.filter(requested_at__lt=late).values_list("kind", "key")[:20])
    for kind, key in waiting:
        if kind in KINDS:
            snapshot_refresh(kind=kind, key=key, now=now)
    return len(waiting)
