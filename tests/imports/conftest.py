"""A local HTTP server serving agendas as real tools write them, and what an import needs.

Feeds under ``feeds/`` are written as Google Calendar, Nextcloud, Outlook, Mobilizon,
Gancio and a WordPress agenda plugin export them; ``{dN}`` in them is the date N days
from today (``YYYYMMDD``), so their events are always ahead.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

FEEDS = Path(__file__).parent / "feeds"


def feed(name: str, *, crlf: bool = True, **replace: str) -> bytes:
    """The feed ``name`` with ``replace``'s changes, then its dates set from today; CRLF line
    ends unless ``crlf=False``."""
    text = (FEEDS / name).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    today = timezone.localdate()
    text = re.sub(r"\{d(\d+)\}", lambda m: (today + timedelta(days=int(m[1]))).strftime("%Y%m%d"), text)
    return text.replace("\n", "\r\n").encode() if crlf else text.encode()


class FeedServer:
    """``routes[path]`` is bytes (a 200 with an ETag), or a callable ``(handler) -> None``
    that answers itself. ``requests`` lists the paths asked, with their headers."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.requests: list[SimpleNamespace] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(SimpleNamespace(path=self.path, headers=dict(self.headers)))
                route = server.routes.get(self.path)
                if callable(route):
                    route(self)
                    return
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = bytes(route)
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def asked(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def redirect_to(location: str, status: int = 302):
    def answer(handler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def status(code: int):
    def answer(handler) -> None:
        handler.send_response(code)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


def slow(seconds: float):
    def answer(handler) -> None:
        time.sleep(seconds)
        handler.send_response(200)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


@pytest.fixture
def feed_server(settings):
    """A feed server on a loopback port the imports may reach (``IMPORTS_LOOPBACK_PORTS``)."""
    server = FeedServer()
    settings.IMPORTS_LOOPBACK_PORTS = [server.port]
    yield server
    server.stop()


@pytest.fixture
def apes(db):
    """An organization that organizes, its organizer, and a campaign coordinated elsewhere."""
    from network.models import Role
    from tests.events.factories import CampaignFactory
    from tests.factories import OrganizationFactory, member_of

    organization = OrganizationFactory(name="APES", slug="apes")
    cress = OrganizationFactory(name="CRESS", slug="cress", kind="reseau")
    return SimpleNamespace(
        organization=organization, cress=cress,
        organizer=member_of(organization, Role.ORGANIZER, email="orga@apes.test"),
        coordinator=member_of(cress, Role.COORDINATOR, email="coord@cress.test"),
        campaign=CampaignFactory(coordinators=[cress], title="Mois de l'ESS", slug="mois-ess"),
    )


@pytest.fixture
def add_source(apes):
    """``add_source(url=…)`` or ``add_source(kind="csv", upload=…)``: a source of APES."""
    from imports import services

    def add(**fields):
        fields.setdefault("kind", "url")
        fields.setdefault("name", "Agenda de l'APES")
        return services.source_create(actor=apes.organizer, organization=apes.organization, **fields)

    return add
