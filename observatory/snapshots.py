"""Computing, storing and reading snapshots (see :class:`observatory.models.Snapshot`).

Each kind of figures registers its computation with :func:`computes`: a function of the
snapshot's key returning JSON-ready data, and a function listing the keys to refresh every
day. The worker computes (daily, and when a coordinator asks); pages and the API only read.

A kind's ``version`` is raised whenever the shape of its data changes: a snapshot stored
before (by the previous release) then reads as not computed yet, so a page asks the worker
again instead of failing on a shape it no longer knows.

Figures with words in them (table titles, headers, row labels, charts) are stored once per
site language (``settings.LANGUAGES``): the worker draws each chart once, as an SVG with its
title and labels written in, so a page cannot translate it when read. Such a kind measures
the database once, then writes its words in each language (:func:`per_language`); every
reader takes the part in the visitor's language (:func:`in_language`, :func:`language`).
A language added to ``settings.LANGUAGES`` comes with a raised ``version`` of those kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from observatory.models import Snapshot

logger = logging.getLogger(__name__)

# A request whose wake-up was lost (broker down) is picked up by the beat after this.
REFRESH_AFTER = timedelta(minutes=2)
# Figures no daily refresh keeps (a filter someone chose, a campaign or network since deleted)
# are forgotten once computed this long ago: a visit asks again for figures older than a day,
# so these have not been read since.
FORGET_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class Kind:
    compute: Callable[[str], dict]
    daily_keys: Callable[[], Iterable[str]]
    version: int = 1


KINDS: dict[str, Kind] = {}


def computes(kind: str, *, daily_keys: Callable[[], Iterable[str]], version: int = 1):
    """Register the decorated function as the computation of ``kind``'s snapshots, whose data
    has the shape ``version``."""

    def register(compute: Callable[[str], dict]) -> Callable[[str], dict]:
        KINDS[kind] = Kind(compute=compute, daily_keys=daily_keys, version=version)
        return compute

    return register


def per_language(build: Callable[[], dict]) -> dict[str, dict]:
    """``build()`` once per site language, each under that language: ``{code: data}``."""
    data = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            data[code] = build()
    return data


def language() -> str:
    """The part of :func:`per_language` data to read: the active language's, or the site's
    first language when the active one is not a site language."""
    active = translation.get_language()
    return active if active in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def in_language(data: dict) -> dict:
    """The part of :func:`per_language` data in the active language (see :func:`language`)."""
    return data[language()]


def computed(kind: str) -> QuerySet[Snapshot]:
    """The snapshots of ``kind`` the worker computed in the kind's current shape."""
    return Snapshot.objects.filter(kind=kind, version=KINDS[kind].version, computed_at__isnull=False)


def snapshot_read(*, kind: str, key: str) -> Snapshot | None:
    """The stored snapshot, or None before the worker first computed it (in today's shape)."""
    return computed(kind).filter(key=key).first()


def snapshot_refresh(*, kind: str, key: str, now: datetime | None = None) -> Snapshot:
    """Compute ``kind``'s figures for ``key`` and store them (the worker's side). Idempotent."""
    registered = KINDS[kind]
    data = registered.compute(key)
    snapshot, _created = Snapshot.objects.update_or_create(
        kind=kind, key=key, defaults={"data": data, "version": registered.version,
                                      "computed_at": now or timezone.now(), "requested_at": None},
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
    """Refresh every kind's daily keys (one that fails is logged and the others go on), then
    forget unread figures (:func:`snapshots_forget`); returns how many snapshots were stored."""
    count = 0
    daily: dict[str, set[str]] = {}
    for kind, registered in KINDS.items():
        daily[kind] = set(registered.daily_keys())
        for key in sorted(daily[kind]):
            count += _refresh_or_give_up(kind, key, now)
    snapshots_forget(daily, now=now)
    return count


def snapshots_forget(daily: dict[str, set[str]], *, now: datetime | None = None) -> int:
    """Delete the snapshots outside ``daily`` (each kind's daily keys) computed more than
    :data:`FORGET_AFTER` ago, and those of kinds no longer computed; none waiting for the
    worker. Derived data: a visit computes them again. Returns how many were deleted."""
    outside = ~Q(kind__in=daily)
    for kind, keys in daily.items():
        outside |= Q(kind=kind) & ~Q(key__in=keys)
    deleted, _by_model = Snapshot.objects.filter(
        outside, computed_at__lt=(now or timezone.now()) - FORGET_AFTER, requested_at__isnull=True).delete()
    return deleted


def snapshots_refresh_requested(*, now: datetime | None = None) -> int:
    """The safety net: refresh snapshots requested a while ago and still waiting. One that
    cannot be computed (its campaign deleted meanwhile, a kind no longer computed) is logged
    and no longer waited for, so that it does not hold up the others: the next visit asks
    again."""
    late = (now or timezone.now()) - REFRESH_AFTER
    waiting = list(Snapshot.objects.filter(requested_at__lt=late).values_list("kind", "key")[:20])
    for kind, key in waiting:
        _refresh_or_give_up(kind, key, now)
    return len(waiting)


def _refresh_or_give_up(kind: str, key: str, now: datetime | None) -> bool:
    """Refresh one snapshot; one that cannot be computed is logged and no longer waited for."""
    try:
        snapshot_refresh(kind=kind, key=key, now=now)
    except Exception:
        logger.exception("observatory: the %s figures %r could not be computed; given up until asked again",
                         kind, key)
        Snapshot.objects.filter(kind=kind, key=key).update(requested_at=None)
        return False
    return True
