"""Helpers to reach or start the real services tests need."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


# What a test skipped for want of PostgreSQL says: CI's SQLite run allows that skip only.
NEEDS_POSTGRES = "needs PostgreSQL"


def require_postgres() -> None:
    """Skip (fail in CI, but for its SQLite run) unless the tests run on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip(f"{NEEDS_POSTGRES} (set DATABASE_URL=postgres://…)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen | None
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not redis_reachable(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("private redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def start_redis(directory: Path, port: int) -> RedisServer | None:
    if shutil.which("redis-server") is None:
        return None
    server = RedisServer(port=port, process=None, directory=directory)
    server.start()
    return server


def run_in_threads(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released together; their results, in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as error:  # kept: the test inspects what each thread got
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def wait_until(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


class SmtpSink:
    """A small SMTP server that accepts every message and keeps its raw bytes.

    Real SMTP rather than a test email backend: the worker under test is another
    process, and what counts is what reached a mail server.
    """

    def __init__(self) -> None:
        self.payloads: list[bytes] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 sink ESMTP\r\n")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif verb == b"DATA":
                        self.wfile.write(b"354 end with <CRLF>.<CRLF>\r\n")
                        payload = self._read_data()
                        if payload is None:
                            return
                        sink._record(payload)
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

            def _read_data(self) -> bytes | None:
                lines = []
                while line := self.rfile.readline():
                    if line in (b".\r\n", b".\n"):
                        return b"".join(lines)
                    lines.append(line[1:] if line.startswith(b"..") else line)
                return None  # the client went away before the end of DATA: not delivered

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _record(self, payload: bytes) -> None:
        with self._lock:
            self.payloads.append(payload)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.payloads)

    def messages(self) -> list[email.message.Message]:
        with self._lock:
            return [email.message_from_bytes(p, policy=email.policy.default) for p in self.payloads]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class CeleryWorker:
    """A real ``celery -A worker worker`` process (its own process group, so that it and
    its children can be killed together, like a container or a machine going down)."""

    env: dict[str, str]
    directory: Path
    concurrency: int = 2
    queue: str = "celery"
    process: subprocess.Popen | None = None
    log: Path = field(init=False)
    # Times the supervisor (see supervise) restarted a worker that exited on its own.
    restarts: int = 0

    def __post_init__(self) -> None:
        self.log = self.directory / "worker.log"
        self._lock = threading.RLock()
        self._beat = False
        self._supervised = False

    def start(self, *, beat: bool = False, timeout: float = 60) -> None:
        command = [sys.executable, "-m", "celery", "-A", "worker", "worker",
                   "-c", str(self.concurrency), "-P", "prefork", "-l", "INFO",
                   "--without-gossip", "--without-mingle", "--without-heartbeat",
                   "-n", f"test-{uuid.uuid4().hex[:8]}@%h"]
        if beat:
            command += ["-B", "-s", str(self.directory / "beat-schedule")]
        with self._lock:
            self._beat = beat
            offset = self.log.stat().st_size if self.log.exists() else 0
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    command, cwd=BASE_DIR,
                    env={**os.environ, **self.env, "CELERY_TASK_DEFAULT_QUEUE": self.queue},
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            if not wait_until(lambda: b" ready." in self.log.read_bytes()[offset:], timeout=timeout):
                self.stop()
                raise RuntimeError(f"the worker did not start:\n{self.output()}")

    def supervise(self) -> None:
        """Restart the worker whenever it exits on its own, as production's supervisor does
        (``restart: unless-stopped`` in docker-compose.yml). A worker holding unacknowledged
        tasks when Redis goes away may exit on an error inside kombu instead of
        reconnecting; a kill or a stop from the test is not restarted."""
        self._supervised = True

        def watch() -> None:
            while self._supervised:
                time.sleep(0.5)
                with self._lock:
                    if self._supervised and self.process is not None and self.process.poll() is not None:
                        self.restarts += 1
                        self.start(beat=self._beat)

        threading.Thread(target=watch, daemon=True).start()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: nothing gets to clean up."""
        with self._lock:
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        with self._lock:
            self._supervised = False
            if self.process is None:
                return
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
            self.process = None

    def forget_queue(self, broker_url: str) -> None:
        """Delete the queue and kombu's bookkeeping of it from Redis."""
        import redis

        with suppress(redis.RedisError):  # a private Redis may be gone already
            redis.Redis.from_url(broker_url, socket_connect_timeout=1).delete(
                self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}"
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:] if self.log.exists() else ""


@dataclass
class PostgresCluster:
    """A throwaway PostgreSQL cluster (``initdb`` in a temporary folder), for runs that
    stop or restart the database: the machine's shared server is never touched.

    initdb refuses to run as root, so as root the cluster belongs to the ``postgres``
    user and its commands run through ``runuser``.
    """

    directory: Path
    port: int = field(default_factory=free_port)

    @staticmethod
    def available() -> bool:
        return bool(_pg_bindir())

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/essaim"

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        bindir = _pg_bindir()
        self._run(f"{bindir}/initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync")
        self.start()
        self._run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "essaim")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
                   "-c fsync=off -c max_connections=200")
        self._run(f"{_pg_bindir()}/pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.directory / "server.log"), "start")

    def restart(self) -> None:
        """A fast shutdown, then a start with the server's output in its log file (``pg_ctl
        restart`` would hand the server this process's pipes and never return)."""
        self._run(f"{_pg_bindir()}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.start()

    def stop(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self._run(f"{_pg_bindir()}/pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def _pg_bindir() -> str | None:
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def charts_drawn(page) -> int:
    """How many chart images the page shows, each checked to be an SVG the browser decoded and
    drew (an image it could not read has no natural width)."""
    charts = page.locator("img.chart")
    for n in range(charts.count()):
        chart = charts.nth(n)
        chart.scroll_into_view_if_needed()
        assert chart.get_attribute("src").startswith("data:image/svg+xml")
        assert chart.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    return charts.count()
