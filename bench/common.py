"""What every benchmark needs: a throwaway database, servers on loopback, wrk, a table.

Benchmarks run against PostgreSQL when ``DATABASE_URL`` names it (a throwaway
database is created beside it and dropped after), otherwise against a SQLite
file in a temporary folder.
"""

from __future__ import annotations

import asyncio
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


def run_inner(module: str) -> list[Row]:
    """Run ``python -m <module> --inner`` in a throwaway environment; return its rows."""
    with throwaway_environment() as env:
        out = subprocess.run([PYTHON, "-m", module, "--inner"], cwd=ROOT, env=env,
                             capture_output=True, text=True)
    sys.stderr.write(out.stderr[-3000:])
    lines = [line for line in out.stdout.splitlines() if line.startswith("BENCH-ROWS ")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"{module} failed:\n{out.stdout[-2000:]}")
    for line in out.stdout.splitlines():
        if not line.startswith("BENCH-ROWS "):
            print(line, flush=True)
    return [Row(**row) for row in json.loads(lines[-1].removeprefix("BENCH-ROWS "))]


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
def gunicorn(env: dict, *, workers: int | None = None):
    """gunicorn on a free loopback port with persistent database connections, configured as
    deployed (gunicorn.conf.py) unless ``workers`` says how many."""
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "backend.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning"]
    if workers is not None:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, env={**env, "CONN_MAX_AGE": "600"})
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
        rate: int | None = None, script: str | None = None) -> LoadResult:
    """Closed-loop load with wrk (or open-loop at ``rate`` requests/s with wrk2 when given).

    ``script`` is Lua source for wrk's ``-s`` (request bodies, a counter per request)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with contextlib.ExitStack() as stack:
        if script is not None:
            lua = stack.enter_context(tempfile.NamedTemporaryFile("w", suffix=".lua"))
            lua.write(script)
            lua.flush()
            command += ["-s", lua.name]
        out = subprocess.run(command, capture_output=True, text=True, check=True,
                             timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))
    errors = 0
    for match in re.finditer(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out):
        if match.group(1):
            errors += int(match.group(1))
    return LoadResult(rps, p99, errors)


def median(results: list[LoadResult]) -> LoadResult:
    """The round of median throughput: rounds of two figures taken in turn, each figure the
    median of its rounds, so that a slow moment of the machine weighs on both sides."""
    return sorted(results, key=lambda result: result.requests_per_second)[len(results) // 2]


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


@dataclass
class OpenLoopResult:
    sent: int
    statuses: dict[int, int]
    errors: int
    p50_ms: float
    p99_ms: float
    duration_s: float


@dataclass
class Request:
    path: str
    method: str = "GET"
    headers: dict | None = None
    body: bytes = b""
    label: str = ""


class _Exchange(asyncio.Protocol):
    """The client end of one HTTP/1.1 connection, one request at a time.

    Written on asyncio's protocol layer rather than its streams: the load generator shares
    the machine's two cores with the server it measures, and streams cost it twice the CPU
    per request (a reader, a writer and a coroutine per header line)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.answer: asyncio.Future | None = None
        self.buffer = bytearray()
        self.head: tuple[int, int | None, bool] | None = None  # status, length, close

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, data: bytes) -> asyncio.Future:
        """Write a request; the future gives ``(status, close, body)``."""
        self.answer = asyncio.get_running_loop().create_future()
        self.buffer.clear()
        self.head = None
        self.transport.write(data)
        return self.answer

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.head is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].decode("latin-1").lower().split("\r\n")
            del self.buffer[:end + 4]
            try:
                status, length, close = int(lines[0].split()[1]), None, False
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name == "content-length":
                        length = int(value)
                    elif name == "connection":
                        close = value.strip() == "close"
            except (ValueError, IndexError) as error:
                self._fail(error)
                return
            self.head = (status, length, close)
        status, length, close = self.head
        if length is not None and len(self.buffer) >= length:
            self._answer(status, close, bytes(self.buffer[:length]))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.head is not None and self.head[1] is None:  # no length: the body ends here
            self._answer(self.head[0], True, bytes(self.buffer))
        self._fail(exc or ConnectionResetError("closed before the answer"))

    def _answer(self, status: int, close: bool, body: bytes) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_result((status, close, body))

    def _fail(self, error: Exception) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(error)


def open_loop(base: str, next_request, *, rate: float, seconds: float,
              connections: int = 64, on_answer=None) -> OpenLoopResult:
    """Open-loop load: requests are *scheduled* at ``rate`` per second whatever the
    server's pace (a slow server piles up latency instead of slowing the client), over
    HTTP/1.1 connections kept alive when the server allows. ``next_request()`` returns
    the next :class:`Request`; ``on_answer(request, status, body)`` sees each answer.
    Latency counts from the scheduled time."""
    from urllib.parse import urlsplit

    host, port = urlsplit(base).hostname, urlsplit(base).port
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0

    def encode(request: Request) -> bytes:
        headers = dict(request.headers or {})
        if request.body:
            headers["Content-Length"] = str(len(request.body))
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return f"{request.method} {request.path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() \
            + request.body

    async def worker(queue: asyncio.Queue) -> None:
        nonlocal errors
        loop = asyncio.get_running_loop()
        exchange = None
        while (item := await queue.get()) is not None:
            scheduled, request = item
            try:
                if exchange is None:
                    _, exchange = await loop.create_connection(_Exchange, host, port)
                async with asyncio.timeout(10):
                    status, close, body = await exchange.send(encode(request))
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append((time.monotonic() - scheduled) * 1000)
                if on_answer is not None:
                    on_answer(request, status, body)
                if close:
                    # gunicorn's sync workers close after each answer.
                    exchange.transport.close()
                    exchange = None
            except (TimeoutError, OSError, ValueError, IndexError):
                errors += 1
                if exchange is not None:
                    exchange.transport.close()
                exchange = None
        if exchange is not None:
            exchange.transport.close()

    async def run() -> int:
        queue: asyncio.Queue = asyncio.Queue()
        workers = [asyncio.create_task(worker(queue)) for _ in range(connections)]
        start = time.monotonic()
        total = int(rate * seconds)
        for n in range(total):
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait((due, next_request()))
        for _ in workers:
            queue.put_nowait(None)
        await asyncio.gather(*workers)
        return total

    started = time.monotonic()
    sent = asyncio.run(run())
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    return OpenLoopResult(sent, statuses, errors, pct(0.50), pct(0.99), time.monotonic() - started)
