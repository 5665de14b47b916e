"""Drain 10,000 due event reminders with one real worker (2 processes), Redis and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/essaim REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.reminders

One event has 10,000 confirmed registrations, each with a reminder due a minute
ago. One ``events.send_due_reminders`` task is enqueued (what beat does every
minute): it turns the reminders into outbox messages a batch per transaction,
and the outbox scans it wakes send them over SMTP to a sink in this process,
which counts distinct Message-IDs. Timed from the enqueue to the last message
marked sent. Target: ≤ 60 s, no duplicate.

The baseline, in the same run, is a plain loop of Django's ``send_mail`` over
SMTP to the same sink on one connection: the deliveries alone, without the
reminder rows, the outbox, the broker or the worker.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

from bench.common import Row, emit, print_table, run_inner

COUNT = 10_000
TARGET_SECONDS = 60


def inner() -> None:
    import django

    django.setup()
    from django.utils import timezone

    from bench.outbox import send_mail_baseline
    from events.models import Registration, Reminder
    from tests.events.factories import EventFactory
    from tests.services import CeleryWorker, SmtpSink, wait_until
    from worker.models import Message

    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    queue = f"bench-reminders-{os.getpid()}"
    event = EventFactory(capacity=None, title="Forum Entreprendre autrement")
    registrations = Registration.objects.bulk_create(
        (Registration(event=event, name=f"Personne {n}", email=f"personne{n}@example.org",
                      status="confirmed") for n in range(COUNT)), batch_size=2000)
    Reminder.objects.bulk_create(
        (Reminder(registration=r, kind="2h", due_at=timezone.now() - timedelta(minutes=1))
         for r in registrations), batch_size=2000)
    print(f"reminders bench: {COUNT} due reminders, one worker with 2 processes, Redis {redis_url}",
          flush=True)

    sink = SmtpSink()
    directory = Path(os.environ["ESSAIM_VAR_DIR"])
    worker = CeleryWorker(env={"CELERY_BROKER_URL": redis_url, "EMAIL_URL": sink.url},
                          directory=directory, queue=queue)
    worker.start()
    try:
        from worker.celery import app

        app.conf.broker_url = redis_url
        started = time.monotonic()
        app.send_task("events.send_due_reminders", queue=queue)
        drained = wait_until(lambda: not (Reminder.objects.filter(sent_at=None).exists()
                                          or Message.objects.filter(sent_at=None).exists()),
                             timeout=600, interval=0.2)
        elapsed = time.monotonic() - started
        time.sleep(1)  # anything sent twice would arrive now
    finally:
        worker.stop()
        worker.forget_queue(redis_url)
        sink.stop()
    ids = sink.message_ids()
    duplicates = len(ids) - len(set(ids))
    print(f"  reminders drained in {elapsed:.1f} s, {len(set(ids))} distinct Message-IDs, "
          f"{duplicates} duplicates", flush=True)
    baseline = send_mail_baseline(COUNT)
    emit([
        Row(f"reminders: {COUNT:,} due, one worker (s)", elapsed, baseline,
            "s vs send_mail loop over SMTP", f"≤ {TARGET_SECONDS} s",
            ok=drained and len(set(ids)) == COUNT and elapsed <= TARGET_SECONDS),
        Row("reminders: duplicates", float(duplicates), None, "count", "0", ok=duplicates == 0),
    ])


def main() -> list[Row]:
    return run_inner("bench.reminders")


if __name__ == "__main__":
    if "--inner" in sys.argv:
        inner()
    else:
        print_table(main())
