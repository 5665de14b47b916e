"""Drain 10,000 due messages with one real worker (2 processes), Redis and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/essaim REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.outbox [--messages 10000]

``DATABASE_URL`` only names the server: the run creates and drops a throwaway
database of its own, and uses a queue of its own on Redis. Messages go over SMTP
to a sink in this process, which counts them and their distinct Message-IDs.

Two ways of draining are timed: one ``send_pending`` scan (what ``outbox_wake()``
enqueues after a bulk recording and beat runs every minute, and how due reminders
are sent; facing a backlog it enqueues another scan, so both worker processes
drain it), and each message woken with its own ``send_message`` task (what
``message_record`` does after each commit by default: the path that makes a
single message leave at once, shown for comparison). The target,
≤ 60 s and no duplicate, applies to the scan; no duplicate applies to both.

The baselines, in the same run, are a plain loop of Django's ``send_mail``: once
to the in-memory backend (the cost of building the messages) and once over SMTP
to the same sink on one connection (the cost of the deliveries without an
outbox, a broker or a worker).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.common import Row, print_table

TARGET_SECONDS = 60


def cli() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    rows = main(parser.parse_args().messages)
    print_table(rows)
    sys.exit(0 if all(row.ok is not False for row in rows) else 1)


def main(count: int = 10_000) -> list[Row]:
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name a PostgreSQL server (the run makes its own database there)")
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    name = f"essaim_bench_{os.getpid()}"
    bench_url = urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    admin_url = urlunsplit(urlsplit(server_url)._replace(path="/postgres"))

    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        os.environ.update(DATABASE_URL=bench_url, CELERY_BROKER_URL=redis_url, DEBUG="1")
        return run(count, bench_url, redis_url)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(count: int, database_url: str, redis_url: str) -> list[Row]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from tests.services import CeleryWorker, SmtpSink, wait_until
    from worker.models import Message
    from worker.tasks import send_message, send_pending

    queue = f"bench-{os.getpid()}"
    sink = SmtpSink()
    results = []
    print(f"outbox bench: {count} messages, one worker with 2 processes, "
          f"PostgreSQL {database_url.rsplit('/', 1)[1]}, Redis {redis_url}, queue {queue}", flush=True)

    def create(prefix: str) -> list[int]:
        Message.objects.bulk_create(
            (Message(key=f"{prefix}:{i}", kind="bench", to=f"personne{i}@example.org",
                     subject=f"Rappel {i}", body_text="Bonjour,\n\nÀ demain.", body_html="<p>À demain.</p>")
             for i in range(count)), batch_size=2000,
        )
        return list(Message.objects.filter(key__startswith=f"{prefix}:").values_list("id", flat=True))

    def drain(label: str, enqueue) -> None:
        delivered_before = sink.count
        started = time.monotonic()
        enqueue()
        drained = wait_until(
            lambda: not Message.objects.filter(sent_at=None).exists(), timeout=600, interval=0.2
        )
        elapsed = time.monotonic() - started
        time.sleep(1)  # anything sent twice would arrive now
        ids = sink.message_ids()[delivered_before:]
        duplicates = len(ids) - len(set(ids))
        results.append((label, elapsed, len(set(ids)), duplicates, drained))
        print(f"  {label:<42} {elapsed:6.1f} s  {len(set(ids)) / elapsed:6.0f} msg/s  "
              f"{len(set(ids))} distinct Message-IDs, {duplicates} duplicates")

    with tempfile.TemporaryDirectory() as directory:
        worker = CeleryWorker(env={
            "DATABASE_URL": database_url, "CELERY_BROKER_URL": redis_url, "EMAIL_URL": sink.url,
            "DEBUG": "1", "ESSAIM_VAR_DIR": directory,
        }, directory=Path(directory), queue=queue)
        worker.start()
        try:
            create("scan")
            drain("scan (one send_pending: outbox_wake, beat)", lambda: send_pending.apply_async(queue=queue))
            ids = create("wake")

            def wake_each() -> None:
                # What message_record's on-commit wake-up does, once per message.
                for message_id in ids:
                    send_message.apply_async((message_id,), queue=queue)

            drain("wake-ups (one send_message per message)", wake_each)
        finally:
            worker.stop()
            worker.forget_queue(redis_url)
            sink.stop()

    baseline_seconds = {
        "baseline send_mail loop, in memory": send_mail_baseline(
            count, "django.core.mail.backends.locmem.EmailBackend"),
        "baseline send_mail loop, SMTP, 1 connection": send_mail_baseline(count),
    }
    for label, elapsed in baseline_seconds.items():
        print(f"  {label:<42} {elapsed:6.1f} s  {count / elapsed:6.0f} msg/s")

    (_, scan_seconds, scan_distinct, scan_duplicates, scan_drained), wake = results
    smtp = baseline_seconds["baseline send_mail loop, SMTP, 1 connection"]
    return [
        Row(f"outbox: {count:,} due messages, one scan (s)", scan_seconds, smtp,
            "s vs send_mail loop over SMTP", f"≤ {TARGET_SECONDS} s",
            ok=scan_drained and scan_distinct == count and scan_seconds <= TARGET_SECONDS),
        Row("outbox: duplicates (scan + wake-ups)", float(scan_duplicates + wake[3]), None, "count",
            "0", ok=scan_duplicates + wake[3] == 0),
        Row(f"outbox: {count:,} messages, one task each (s)", wake[1], scan_seconds, "s vs one scan",
            "informative"),
    ]


def send_mail_baseline(count: int, backend: str = "django.core.mail.backends.smtp.EmailBackend") -> float:
    """Seconds for a plain ``send_mail`` loop of ``count`` messages on one connection
    (over SMTP to a sink in this process unless ``backend`` says otherwise)."""
    from django.core.mail import get_connection, send_mail

    from tests.services import SmtpSink

    sink = SmtpSink()
    connection = get_connection(backend, host="127.0.0.1", port=sink.port, use_tls=False, use_ssl=False)
    started = time.monotonic()
    with connection:
        for i in range(count):
            send_mail(f"Rappel {i}", "Bonjour,\n\nÀ demain.", None, [f"personne{i}@example.org"],
                      html_message="<p>À demain.</p>", connection=connection)
    elapsed = time.monotonic() - started
    sink.stop()
    return elapsed


if __name__ == "__main__":
    cli()
