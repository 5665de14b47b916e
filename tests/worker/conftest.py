"""Fixtures for the worker: an SMTP sink, a real Celery worker process, and a way to
point this process's Celery app at another broker."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from unittest import mock
from urllib.parse import quote

import pytest
from django.db import connection

from tests.services import CeleryWorker, SmtpSink, require_postgres

# Short leases so that messages claimed by a killed worker come back within seconds: a batch's
# claim, and the claim of a message being sent (which must outlast an outbox task).
TEST_LEASE_SECONDS = 6
TEST_TASK_TIME_LIMIT = 15
TEST_UNKNOWN_RETRY_SECONDS = 20


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    yield sink
    sink.stop()


def database_url() -> str:
    """The URL of the database this test runs on (the test database, not the configured one)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, smtp_sink, tmp_path):
    """``celery_worker(broker_url)`` → a started and supervised :class:`CeleryWorker` on the
    test database, with a queue of its own (``worker.queue``, see :func:`use_broker`);
    ``env`` overrides its environment.

    PostgreSQL only: the worker is another process and must see what the test commits
    (pytest-django's SQLite test database lives in this process's memory).
    """
    require_postgres()
    workers: list[tuple[CeleryWorker, str]] = []

    def start(broker_url: str, *, beat: bool = False, env: dict[str, str] | None = None) -> CeleryWorker:
        worker = CeleryWorker(queue=f"test-{uuid.uuid4().hex[:12]}", env={
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_URL": smtp_sink.url,
            "OUTBOX_LEASE_SECONDS": str(TEST_LEASE_SECONDS),
            "OUTBOX_TASK_TIME_LIMIT": str(TEST_TASK_TIME_LIMIT),
            "OUTBOX_UNKNOWN_RETRY_SECONDS": str(TEST_UNKNOWN_RETRY_SECONDS),
            "OUTBOX_SCAN_SECONDS": "1",
            "REMINDER_SCAN_SECONDS": "1",
            "ESSAIM_VAR_DIR": str(tmp_path / "var"),
            **(env or {}),
        }, directory=tmp_path)
        workers.append((worker, broker_url))
        worker.start(beat=beat)
        worker.supervise()
        return worker

    yield start
    for worker, broker_url in workers:
        worker.stop()
        worker.forget_queue(broker_url)


@contextmanager
def use_broker(url: str, *, queue: str = "celery"):
    """Publish from this process to ``queue`` on ``url``. The wake-up builds its connection
    from the app's configuration at each call, and the queue is read at each publication,
    so changing the configuration is enough (Celery reads ``CELERY_BROKER_URL`` from the
    environment before its configuration, hence the environment too)."""
    from worker.celery import app

    previous = app.conf.broker_url, app.conf.task_default_queue
    app.conf.broker_url, app.conf.task_default_queue = url, queue
    try:
        with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}):
            yield
    finally:
        app.conf.broker_url, app.conf.task_default_queue = previous
