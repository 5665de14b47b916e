"""Check-in throughput and latency against a bare DRF endpoint, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/essaim_bench_passes .venv/bin/python bench/checkin.py

Starts gunicorn (2 sync workers, loopback) on a dedicated PostgreSQL database
(created if missing, emptied of check-ins between runs), then:

1. saturation, with ``wrk``: requests/s of ``GET /bench/bare/`` (DRF, one query)
   and of ``POST /api/v1/checkins/`` (a desk checking a new pass in each time);
2. latency at half of the check-in saturation rate, open loop (each request is
   timed from when it was due, so a slow server cannot hide its queue).

Targets (issue 6): check-in ≥ 0.35 × the bare endpoint; p99 < 25 ms at half of saturation.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/essaim_bench_passes")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.passes_settings"
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("LOG_LEVEL", "WARNING")



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or free_port())
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
PASSES = 100_000
CODE = "bench{:027d}"  # 32 characters, the shape of a real QR code


def ensure_database() -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/checkin.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    with psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                         password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            db.execute(f'CREATE DATABASE "{config["NAME"]}"')


def seed() -> str:
    """A space open all day, an unlimited plan, PASSES passes, a desk token; returns the token."""
    from datetime import date
    from datetime import time as clock

    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from network.models import Membership, Organization, Person, Role
    from passes.models import Pass, PassNetwork, Period, Plan
    from spaces.models import OpeningHours, Space

    call_command("migrate", verbosity=0)
    operator, _ = Organization.objects.get_or_create(slug="bench", defaults={"name": "Bench",
                                                                             "kind": "association"})
    space, _ = Space.objects.get_or_create(slug="bench-space", defaults={
        "name": "Bench", "operator": operator, "address": "-", "desk_capacity": 10_000_000})
    if not space.opening_hours.exists():
        OpeningHours.objects.bulk_create(OpeningHours(space=space, weekday=d, opens=clock(0),
                                                      closes=clock.max) for d in range(7))
    network, _ = PassNetwork.objects.get_or_create(slug="bench", defaults={
        "name": "Bench", "coordinator": operator, "visit_value": 10})
    network.spaces.add(space)
    plan, _ = Plan.objects.get_or_create(network=network, slug="bench", defaults={
        "name": "Bench", "price": 0, "period": Period.UNLIMITED, "allowance": None, "validity_days": 3650})
    desk, _ = Person.objects.get_or_create(email="desk@bench.invalid")
    Membership.objects.get_or_create(person=desk, organization=operator, role=Role.SPACE_MANAGER)
    have = Pass.objects.filter(plan=plan).count()
    for start in range(have, PASSES, 5000):
        holders = Person.objects.bulk_create(Person(email=f"m{n}@bench.invalid")
                                             for n in range(start, min(start + 5000, PASSES)))
        Pass.objects.bulk_create(
            Pass(holder=h, plan=plan, issuing_space=space, valid_from=date(2020, 1, 1),
                 valid_until=date(2099, 1, 1), code=CODE.format(n), short_code=f"{n:08d}")
            for n, h in enumerate(holders, start)
        )
    return Token.objects.get_or_create(user=desk)[0].key


def reset_checkins() -> None:
    """Empty the check-ins so the passes can be used again, once the server is idle:
    requests wrk left queued finish first (a TRUNCATE beside them could deadlock)."""
    from django.db import connection

    time.sleep(3)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE passes_checkinattempt, passes_checkin, passes_visit")


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "backend.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ}, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            conn.request("GET", "/bench/bare/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


LUA = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Token TOKEN"
end
function request()
  local n = offset + counter * THREADS
  counter = counter + 1
  return wrk.format(nil, "/api/v1/checkins/", nil,
    string.format('{"pass_code": "bench%027d", "space": "bench-space"}', n))
end
function done(summary, latency, requests)
  io.write(string.format("non2xx %d\\n", summary.errors.status))
end
"""


def wrk(path: str, script: str | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"non2xx (\d+)", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale,
            "errors": int(non2xx.group(1)) if non2xx else 0}


def open_loop(token: str, rate: float, first: int) -> dict:
    """POST check-ins at ``rate`` per second for DURATION seconds, each timed from when it was due."""
    total = int(rate * DURATION)
    start = time.monotonic() + 0.5
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    next_index = iter(range(total))

    def worker() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        for i in next_index:
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            body = json.dumps({"pass_code": CODE.format(first + i), "space": "bench-space"})
            conn.request("POST", "/api/v1/checkins/", body=body,
                         headers={"Content-Type": "application/json", "Authorization": f"Token {token}"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.monotonic() - due) * 1000
            with lock:
                latencies.append(elapsed)
                failures += response.status != 201

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"rate": rate, "p50_ms": latencies[len(latencies) // 2],
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1], "errors": failures}


def main() -> None:
    ensure_database()
    import django

    django.setup()
    token = seed()
    reset_checkins()
    server = start_server()
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA.replace("TOKEN", token).replace("THREADS", "2"))
        bare = wrk("/bench/bare/")
        checkin = wrk("/api/v1/checkins/", script.name)
        reset_checkins()
        half = open_loop(token, checkin["rps"] / 2, first=0)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    ratio = checkin["rps"] / bare["rps"]
    print(f"{'endpoint':<34}{'req/s':>10}{'p99 ms':>10}{'errors':>8}")
    print(f"{'GET /bench/bare/ (saturation)':<34}{bare['rps']:>10.0f}{bare['p99_ms']:>10.1f}"
          f"{bare['errors']:>8}")
    print(f"{'POST /api/v1/checkins/ (saturation)':<34}{checkin['rps']:>10.0f}"
          f"{checkin['p99_ms']:>10.1f}{checkin['errors']:>8}")
    print(f"{'POST /api/v1/checkins/ (half rate)':<34}{half['rate']:>10.0f}{half['p99_ms']:>10.1f}"
          f"{half['errors']:>8}   p50 {half['p50_ms']:.1f} ms")
    print(f"check-in / bare = {ratio:.2f} (target ≥ 0.35: {'ok' if ratio >= 0.35 else 'MISSED'}); "
          f"p99 at half rate {half['p99_ms']:.1f} ms "
          f"(target < 25: {'ok' if half['p99_ms'] < 25 else 'MISSED'})")


if __name__ == "__main__":
    main()
