"""Sustained mixed traffic while the services fail, on one machine, loopback only.

Its own PostgreSQL cluster (initdb in a temporary folder) and its own Redis are
started for the run, so stopping them never touches the machine's shared
servers. Web (gunicorn as deployed), a Celery worker with its beat, and an SMTP
sink run beside them. An open-loop load (agenda pages, feed polls with and
without ETag, guest registrations, check-ins at a front desk, each of a new pass) runs for
the whole timeline:

    t=15 s   the worker is killed with SIGKILL; a new one starts at t=20 s
    t=30 s   Redis stops for 60 s
    t=105 s  PostgreSQL restarts (fast shutdown)
    t=125 s  traffic ends; the outbox gets up to 3 minutes to drain (more than a lease,
             and than the run's 60 s before a message whose outcome is unknown is tried
             again, so that a message being sent under a kill or the restart is sent)

Reported: what was served, refused (503 while the database was down), failed
(5xx other than 503, connection errors), and lost (a registration or a check-in answered
201 but missing, or a confirmation never delivered). Goal: nothing lost, no 500.

Then a slow mail server: a worker whose SMTP server queues each message but answers the
end of its body only after 15 s (longer than a single 10 s timeout for every step would
wait), with the worker's own per-step waits (``worker/smtp.py``); a second copy after an
unknown outcome would show within the run.
Registrations come in one after another; reported: how many copies of each confirmation
reached the server, how many attempts ended with an unknown outcome, and how long the
confirmations took. Goal: each delivered exactly once, marked sent.

Run: ``.venv/bin/python -m bench.faults`` (root or a user that can run initdb);
``--slow-mail`` runs the slow mail server only.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.common import PYTHON, ROOT, Request, Row, emit, gunicorn, open_loop, print_table

RATE = 40
DURATION = 125
CHECKINS = 0.10  # share of the requests; one new pass each

TIMELINE = [(15, "kill worker"), (20, "start worker"), (30, "stop redis"), (90, "start redis"),
            (105, "restart postgresql")]

SLOW_REPLY = 15  # seconds before the slow server answers the end of a message's body
SLOW_MESSAGES = 12
# A scan's batch lease (half of it for sending), the outbox task's limit, and the delay
# before an unknown outcome (a worker killed while sending, a database gone before "sent" is
# written) is tried again: short enough for the run to see that second copy, long enough for
# one message that waits SLOW_REPLY (settings.py keeps the retry above the limit).
OUTBOX_ENV = {"OUTBOX_LEASE_SECONDS": "30", "OUTBOX_TASK_TIME_LIMIT": "50",
              "OUTBOX_UNKNOWN_RETRY_SECONDS": "60"}


def main(*, slow_mail_only: bool = False) -> list[Row]:
    from tests.services import CeleryWorker, PostgresCluster, RedisServer, SmtpSink, free_port

    if not PostgresCluster.available():
        raise SystemExit("bench.faults needs PostgreSQL's server binaries (initdb)")
    folder = Path(tempfile.mkdtemp(prefix="essaim-faults-"))
    os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its cluster inside
    postgres = PostgresCluster(folder / "pg")
    postgres.init()
    redis = RedisServer(port=free_port(), process=None, directory=folder)
    redis.start()
    sink = SmtpSink()
    env = {
        **os.environ, "DATABASE_URL": postgres.url, "REDIS_URL": redis.url, "EMAIL_URL": sink.url,
        "ESSAIM_VAR_DIR": str(folder / "var"), "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "ERROR", "OUTBOX_SCAN_SECONDS": "5",
        "THROTTLE_REGISTRATION": "100000/minute", **OUTBOX_ENV,
    }
    worker = CeleryWorker(env=env, directory=folder)
    try:
        for command in (["migrate", "--no-input", "-v0"], ["load_demo"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           capture_output=True)
        with gunicorn(env) as base:
            rows: list[Row] = []
            if not slow_mail_only:
                worker.start(beat=True)
                worker.supervise()
                rows += _run(base, env, postgres, redis, worker, sink)
                worker.stop()
            rows += _slow_mail_server(base, env, folder)
    finally:
        worker.stop()
        sink.stop()
        redis.stop()
        postgres.stop()
    return rows


def _open_events(base: str) -> list[int]:
    from datetime import UTC, datetime
    from urllib.parse import quote

    now = quote(datetime.now(UTC).isoformat())
    url = f"{base}/api/v1/events/?page_size=100&ordering=starts_at&starts_after={now}"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        events = json.load(response)["results"]
    return [e["id"] for e in events if e["status"] == "published" and e["capacity"]]


def seed_desk(passes: int) -> None:
    """Print, as JSON, the token of the front desk of the Relais de Roncq (open around the
    clock in the demo) and the codes of ``passes`` new passes that may visit it today; the
    space gets a desk for each, since nobody leaves during the run.
    Run inside the faults' environment (``_desk``)."""
    from decimal import Decimal

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from network.models import Person
    from passes import services
    from passes.models import PassNetwork, Period
    from spaces.models import Space

    space = Space.objects.get(slug="relais-roncq")
    Space.objects.filter(pk=space.pk).update(desk_capacity=space.desk_capacity + passes)
    plan = services.plan_create(network=PassNetwork.objects.get(spaces=space), name="Charge",
                                slug="charge", price=Decimal(0), period=Period.MONTH, allowance=20,
                                validity_days=30)
    holders = Person.objects.bulk_create(Person(email=f"pass{n}@charge.invalid") for n in range(passes))
    codes = [services.pass_issue(plan=plan, holder=holder, issuing_space=space,
                                 valid_from=timezone.localdate()).code for holder in holders]
    token, _ = Token.objects.get_or_create(user=Person.objects.get(email="accueil@relais-roncq.demo"))
    print(json.dumps({"token": token.key, "codes": codes}))


def _desk(env: dict, passes: int) -> tuple[str, list[str]]:
    desk = json.loads(_django(env, f"from bench.faults import seed_desk; seed_desk({passes})")
                      .splitlines()[-1])
    return desk["token"], desk["codes"]


def _run(base, env, postgres, redis, worker, sink) -> list[Row]:
    from datetime import datetime

    events = _open_events(base)
    token, codes = _desk(env, int(RATE * DURATION * CHECKINS * 1.5))
    passes = iter(codes)
    checked_in: list[int] = []
    with urllib.request.urlopen(f"{base}/feeds/events.ics", timeout=60) as response:  # noqa: S310
        etag = response.headers["ETag"]
    rng = random.Random(2026)
    counter = itertools.count()
    accepted: list[str] = []
    lock = threading.Lock()

    def next_request() -> Request:
        draw = rng.random()
        if draw < 0.35:
            return Request("/api/v1/events/?page_size=20", label="agenda")
        if draw < 0.65:
            return Request("/feeds/events.ics", headers={"If-None-Match": etag}, label="feed 304")
        if draw < 0.75:
            return Request("/feeds/events.ics", label="feed")
        if draw < 0.75 + CHECKINS:
            body = json.dumps({"pass_code": next(passes), "space": "relais-roncq"}).encode()
            return Request("/api/v1/checkins/", method="POST", body=body, label="check-in",
                           headers={"Content-Type": "application/json",
                                    "Authorization": f"Token {token}"})
        email = f"charge{next(counter)}@example.org"
        body = json.dumps({"name": "Charge", "email": email}).encode()
        return Request(f"/api/v1/events/{rng.choice(events)}/registrations/", method="POST",
                       headers={"Content-Type": "application/json"}, body=body, label=email)

    def on_answer(request: Request, status: int, body: bytes) -> None:
        if request.method == "POST" and status == 201:
            with lock:
                if request.label == "check-in":
                    checked_in.append(json.loads(body)["id"])
                else:
                    accepted.append(request.label)

    log: list[str] = []

    def faults() -> None:
        started = time.monotonic()
        for at, action in TIMELINE:
            time.sleep(max(0.0, started + at - time.monotonic()))
            {"kill worker": worker.kill, "start worker": lambda: worker.start(beat=True),
             "stop redis": redis.stop, "start redis": redis.start,
             "restart postgresql": postgres.restart}[action]()
            log.append(f"t={time.monotonic() - started:5.1f}s {action}")

    thread = threading.Thread(target=faults)
    thread.start()
    result = open_loop(base, next_request, rate=RATE, seconds=DURATION, on_answer=on_answer,
                       connections=32)
    thread.join()
    print("\n".join(log), flush=True)

    registered = set(_registered_emails(env))
    lost_registrations = [email for email in accepted if email not in registered]
    lost_checkins = set(checked_in) - set(_checkin_ids(env))
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        delivered = {str(m["To"]) for m in sink.messages()}
        undelivered = [email for email in accepted if email not in delivered]
        if not undelivered:
            break
        time.sleep(2)
    if undelivered:
        print(_outbox_state(env, undelivered), flush=True)
    duplicates = len(sink.message_ids()) - len(set(sink.message_ids()))
    statuses = result.statuses
    failed = result.errors + sum(n for code, n in statuses.items() if code >= 500 and code != 503)
    print(f"{datetime.now():%H:%M:%S} statuses {json.dumps(statuses)}, connection errors "
          f"{result.errors}, registrations accepted {len(accepted)}, missing {len(lost_registrations)}, "
          f"check-ins recorded {len(checked_in)}, missing {len(lost_checkins)}, "
          f"confirmations undelivered {len(undelivered)}, duplicate deliveries {duplicates}", flush=True)
    return [
        Row("faults: requests served (2xx/3xx/4xx)", float(sum(n for c, n in statuses.items() if c < 500)),
            float(result.sent), "of scheduled", "informative"),
        Row("faults: refused with 503 (database down)", float(statuses.get(503, 0)), None, "count",
            "informative"),
        Row("faults: 500s and connection errors", float(failed), None, "count", "0", ok=failed == 0),
        Row("faults: registrations lost", float(len(lost_registrations)), float(len(accepted)),
            "of accepted", "0", ok=not lost_registrations),
        Row("faults: check-ins lost", float(len(lost_checkins)), float(len(checked_in)),
            "of recorded", "0", ok=not lost_checkins),
        Row("faults: confirmations never delivered", float(len(undelivered)), float(len(accepted)),
            "of accepted", "0", ok=not undelivered),
        Row("faults: duplicate deliveries", float(duplicates), None, "count", "informative"),
        Row("faults: p99 latency (ms)", result.p99_ms, None, "ms", "informative"),
    ]


def _django(env: dict, code: str) -> str:
    """What ``code`` prints, run with Django set up in the run's environment (its database)."""
    out = subprocess.run([PYTHON, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout


def _registered_emails(env: dict) -> list[str]:
    return _django(env, "from events.models import Registration; "
                        "print('\\n'.join(Registration.objects.values_list('email', flat=True)))").split()


def _checkin_ids(env: dict) -> list[int]:
    printed = _django(env, "from passes.models import CheckIn; print('\\n'.join("
                           "map(str, CheckIn.objects.values_list('id', flat=True))))")
    return [int(line) for line in printed.split()]


def _outbox_state(env: dict, emails: list[str]) -> str:
    """Where the undelivered confirmations stand in the outbox, grouped, for the report."""
    code = ("import collections, json, sys, django; django.setup(); from worker.models import Message; "
            "rows = Message.objects.filter(to__in=json.load(sys.stdin)).values_list("
            "'sent_at', 'attempts', 'last_error', 'claimed_until'); "
            "print(collections.Counter((s is not None, a, e[:80], c is not None) for s, a, e, c in rows))")
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         input=json.dumps(emails))
    return "undelivered (sent, attempts, last error, claimed): " + (out.stdout or out.stderr[-500:]).strip()


def _slow_mail_server(base: str, env: dict, folder: Path) -> list[Row]:
    from datetime import datetime
    from email import message_from_bytes

    from tests.services import CeleryWorker
    from tests.worker.smtp import Behaviour, MisbehavingSmtp

    server = MisbehavingSmtp(Behaviour(final_delay=SLOW_REPLY))
    worker = CeleryWorker(env={**env, "EMAIL_URL": server.url}, directory=folder)
    emails = [f"lent{n}@example.org" for n in range(SLOW_MESSAGES)]
    events = _open_events(base)
    try:
        worker.start(beat=True)
        started = time.monotonic()
        for number, email in enumerate(emails):
            request = urllib.request.Request(  # noqa: S310 - loopback
                f"{base}/api/v1/events/{events[number % len(events)]}/registrations/",
                data=json.dumps({"name": "Lent", "email": email}).encode(),
                headers={"Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback
                pass
        deadline = started + SLOW_MESSAGES * SLOW_REPLY + 120
        while time.monotonic() < deadline and _unsent(env, emails):
            time.sleep(5)
        drained = time.monotonic() - started
        # Past the delay before an unknown outcome's second try, and a few scans more.
        time.sleep(int(OUTBOX_ENV["OUTBOX_UNKNOWN_RETRY_SECONDS"]) + 15)
        unsent = _unsent(env, emails)
    finally:
        worker.stop()
        server.stop()
    copies: dict[str, int] = {}
    for body in server.received:
        message = message_from_bytes(body)
        if str(message["To"]) in emails:
            copies[str(message["Message-ID"])] = copies.get(str(message["Message-ID"]), 0) + 1
    once = sum(1 for n in copies.values() if n == 1)
    extra = sum(n - 1 for n in copies.values())
    unknown = int(_django(env, "from worker.models import Message; print(sum(Message.objects.filter("
                               f"to__in={emails!r}).values_list('unknown_outcomes', flat=True)))"))
    print(f"{datetime.now():%H:%M:%S} slow mail server ({SLOW_REPLY} s to answer each body): "
          f"{len(emails)} confirmations, {once} delivered once, {extra} extra copies, "
          f"{unknown} unknown outcomes, {len(unsent)} not marked sent, all sent within {drained:.0f} s",
          flush=True)
    return [
        Row(f"slow mail ({SLOW_REPLY} s): delivered exactly once", float(once), float(len(emails)),
            "of confirmations", "all", ok=once == len(emails)),
        Row(f"slow mail ({SLOW_REPLY} s): extra copies", float(extra), None, "count", "0",
            ok=extra == 0),
        Row(f"slow mail ({SLOW_REPLY} s): unknown outcomes", float(unknown), None, "count",
            "informative"),
        Row(f"slow mail ({SLOW_REPLY} s): not marked sent", float(len(unsent)), float(len(emails)),
            "of confirmations", "0", ok=not unsent),
        Row(f"slow mail ({SLOW_REPLY} s): all sent within", drained, None, "s", "informative"),
    ]


def _unsent(env: dict, emails: list[str]) -> list[str]:
    """Which of ``emails`` have a message (their confirmation) that the outbox has not marked sent."""
    printed = _django(env, "from worker.models import Message; print('\\n'.join(Message.objects.filter("
                           f"to__in={emails!r}, sent_at__isnull=False)"
                           ".values_list('to', flat=True)))")
    return sorted(set(emails) - set(printed.split()))


if __name__ == "__main__":
    rows = main(slow_mail_only="--slow-mail" in sys.argv[1:])
    emit(rows)
    print_table(rows)
    sys.exit(0 if all(r.ok is not False for r in rows) else 1)
