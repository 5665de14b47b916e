"""Snapshots: the worker computes and stores, pages read; a request is answered at once with
what is stored and refreshed once; small counts of people never show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from observatory import snapshots
from observatory.disclosure import HIDDEN, people_count
from observatory.models import Snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting_kind(monkeypatch):
    calls: list[str] = []

    def compute(key: str) -> dict:
        calls.append(key)
        return {"key": key, "computed": len(calls)}

    # Only this kind: the observatory's own kinds are registered too.
    kind = snapshots.Kind(compute=compute, daily_keys=lambda: ["a", "b"])
    monkeypatch.setattr(snapshots, "KINDS", {"test": kind})
    return calls


def test_counts_of_one_to_four_people_show_as_less_than_five():
    assert [people_count(n) for n in (0, 1, 4, 5, 12)] == [0, HIDDEN, HIDDEN, 5, 12]


def test_nothing_is_read_before_the_worker_computed_it(counting_kind):
    assert snapshots.snapshot_read(kind="test", key="a") is None
    snapshots.snapshot_refresh(kind="test", key="a")
    assert snapshots.snapshot_read(kind="test", key="a").data == {"key": "a", "computed": 1}


def test_the_daily_refresh_computes_every_key_again(counting_kind):
    assert snapshots.snapshots_refresh_daily() == 2
    assert snapshots.snapshots_refresh_daily() == 2
    assert snapshots.snapshot_read(kind="test", key="b").data["computed"] == 4
    assert Snapshot.objects.count() == 2


def test_a_request_asks_once_and_the_beat_picks_up_a_lost_one(counting_kind,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        snapshots.snapshot_request(kind="test", key="a")
        snapshots.snapshot_request(kind="test", key="a")
    assert len(callbacks) == 1  # the second request finds the first one waiting
    assert snapshots.snapshot_read(kind="test", key="a") is None
    later = timezone.now() + timedelta(minutes=5)
    assert snapshots.snapshots_refresh_requested(now=later) == 1
    snapshot = snapshots.snapshot_read(kind="test", key="a")
    assert snapshot.requested_at is None and snapshot.data["computed"] == 1


def test_a_snapshot_stored_in_an_older_shape_reads_as_not_computed(counting_kind, monkeypatch):
    snapshots.snapshot_refresh(kind="test", key="a")
    registered = snapshots.KINDS["test"]
    monkeypatch.setitem(snapshots.KINDS, "test", snapshots.Kind(
        compute=registered.compute, daily_keys=registered.daily_keys, version=registered.version + 1))
    assert snapshots.snapshot_read(kind="test", key="a") is None
    snapshots.snapshot_refresh(kind="test", key="a")
    assert snapshots.snapshot_read(kind="test", key="a").data["computed"] == 2


def test_figures_nobody_read_for_a_month_are_forgotten_and_daily_ones_kept(counting_kind):
    long_ago = timezone.now() - snapshots.FORGET_AFTER - timedelta(days=1)
    for key in ("a", "someone's filter", "waiting"):
        snapshots.snapshot_refresh(kind="test", key=key, now=long_ago)
    snapshots.snapshot_refresh(kind="test", key="read last week", now=timezone.now() - timedelta(days=7))
    Snapshot.objects.filter(key="waiting").update(requested_at=timezone.now())
    Snapshot.objects.create(kind="a kind no longer computed", key="a", computed_at=long_ago)
    snapshots.snapshots_refresh_daily()
    assert set(Snapshot.objects.values_list("key", flat=True)) == {"a", "b", "read last week", "waiting"}
    assert snapshots.snapshot_read(kind="test", key="a").computed_at > long_ago


def test_figures_that_cannot_be_computed_are_given_up_and_do_not_hold_up_the_others(monkeypatch, caplog):
    def compute(key: str) -> dict:
        if key == "deleted campaign":
            raise LookupError(key)
        return {"key": key}

    kind = snapshots.Kind(compute=compute, daily_keys=lambda: ["a", "deleted campaign"])
    monkeypatch.setattr(snapshots, "KINDS", {"test": kind})
    long_ago = timezone.now() - timedelta(minutes=10)
    for kind, key in (("test", "deleted campaign"), ("a kind no longer computed", "x"), ("test", "b")):
        Snapshot.objects.create(kind=kind, key=key, requested_at=long_ago)
    assert snapshots.snapshots_refresh_requested() == 3
    assert snapshots.snapshot_read(kind="test", key="b").data == {"key": "b"}
    assert not Snapshot.objects.filter(requested_at__isnull=False).exists(), "not asked again every 2 minutes"
    assert "could not be computed" in caplog.text
    assert snapshots.snapshots_refresh_daily() == 1
