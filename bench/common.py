"""What every benchmark needs: a throwaway database, servers on loopback, wrk, a table.

Benchmarks run against PostgreSQL when ``DATABASE_URL`` names it (a throwaway
database is created beside it and dropped after), otherwise against a SQLite
file in a temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Row:
    figure: str
    essaim: float
    baseline: float | None
    unit: str
    target: str
    ok: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.essaim / self.baseline


def emit(rows: list[Row]) -> None:
    """Print the rows as the last line, for bench/run to collect."""
    print("BENCH-ROWS " + json.dumps([asdict(r) for r in rows]), flush=True)


def print_table(rows: list[Row]) -> None:
    header = f"{'figure':<46} {'Essaim':>12} {'baseline':>12} {'ratio':>7}  {'target':<18} ok"
    print(header)
    print("-" * len(header))
    for r in rows:
        base = "" if r.baseline is None else f"{r.baseline:,.2f}"
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        ok = "" if r.ok is None else ("yes" if r.ok else "NO")
        print(f"{r.figure:<46} {r.essaim:>12,.2f} {base:>12} {ratio:>7}  {r.target:<18} {ok}  {r.unit}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def throwaway_environment():
    """Environment variables for a fresh database and var folder; removed afterwards."""
    var_dir = Path(tempfile.mkdtemp(prefix="essaim-bench-"))
    base_url = os.environ.get("DATABASE_URL", "")
    env = {
        **os.environ,
        "ESSAIM_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "BENCH_STATIC_ROOT": str(var_dir / "static"),
        "LOG_LEVEL": "WARNING",
    }
    name = None
    if base_url.startswith(("postgres://", "postgresql://")):
        name = f"essaim_bench_{os.getpid()}"
        admin = re.sub(r"/[^/]*$", "/postgres", base_url)
        _psql(admin, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = re.sub(r"/[^/]*$", f"/{name}", base_url)
    else:
        env["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    (var_dir / "static").mkdir()
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env,
                       check=True)
        yield env
    finally:
        if name:
            _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


def _psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def gunicorn(env: dict, *, workers: int = 2):
    """gunicorn on a free loopback port with persistent database connections."""
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "backend.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env={**env, "CONN_MAX_AGE": "600"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/bench/bare", timeout=1)  # noqa: S310 - loopback http
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


@dataclass
class LoadResult:
    requests_per_second: float
    p99_ms: float
    errors: int


def wrk(url: str, *, seconds: int = 5, connections: int = 16, headers: dict | None = None,
        rate: int | None = None) -> LoadResult:
    """Closed-loop load with wrk (or open-loop at ``rate`` requests/s with wrk2 when given)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))
    errors = 0
    for match in re.finditer(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out):
        if match.group(1):
            errors += int(match.group(1))
    return LoadResult(rps, p99, errors)


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
