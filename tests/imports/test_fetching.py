"""Fetching a source's address: only public addresses, each redirect checked, bounded in time and size."""

from __future__ import annotations

import socket

import pytest

from imports import fetch as fetching
from imports.fetch import FetchFailed, UrlRefused, fetch
from tests.imports.conftest import FeedServer, feed, redirect_to, slow, status


@pytest.fixture
def inside():
    """A second server on loopback, on a port the imports may not reach: it must never be asked."""
    server = FeedServer()
    server.routes["/secret.ics"] = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    yield server
    server.stop()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/feed.ics",
    "http://10.0.0.1/feed.ics",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/feed.ics",
    "http://[::ffff:127.0.0.1]/feed.ics",
    "http://224.0.0.1/feed.ics",
    "http://100.64.0.1/feed.ics",
    "http://0.0.0.0/feed.ics",
])
def test_internal_addresses_are_refused_before_anything_is_sent(url, monkeypatch):
    opened = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))

    with pytest.raises(UrlRefused) as refused:
        fetch(url)

    assert refused.value.field == "url"
    assert "adresse interne" in refused.value.detail
    assert opened == []


def test_loopback_is_refused_on_a_port_not_named_in_the_setting(feed_server, inside):
    with pytest.raises(UrlRefused):
        fetch(inside.url("/secret.ics"))
    assert inside.requests == []


def test_a_name_that_resolves_to_loopback_is_refused(inside):
    with pytest.raises(UrlRefused) as refused:
        fetch(f"http://localhost:{inside.port}/secret.ics")
    assert "127.0.0.1" in refused.value.detail or "::1" in refused.value.detail
    assert inside.requests == []


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret.ics", "http://10.0.0.1/feed.ics",
                                    "http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/secret.ics"])
def test_a_redirect_to_an_internal_address_is_refused_and_not_followed(feed_server, inside, target):
    feed_server.routes["/moved.ics"] = redirect_to(target.format(port=inside.port))

    with pytest.raises(UrlRefused):
        fetch(feed_server.url("/moved.ics"))

    assert feed_server.asked("/moved.ics") == 1
    assert inside.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/a.ics", "gopher://x/",
                                 "javascript:x", "//example.org/a.ics", "http:///a.ics"])
def test_schemes_other_than_http_https_and_webcal_are_refused(url):
    with pytest.raises(UrlRefused) as refused:
        fetch(url)
    assert refused.value.field == "url"


def test_redirects_are_followed_up_to_five(feed_server):
    feed_server.routes["/0"] = feed("google.ics")
    for n in range(1, 6):
        feed_server.routes[f"/{n}"] = redirect_to(f"/{n - 1}", 301 if n % 2 else 307)
    assert fetch(feed_server.url("/5")).body.startswith(b"BEGIN:VCALENDAR")

    feed_server.routes["/6"] = redirect_to("/5")
    with pytest.raises(FetchFailed, match="redirections"):
        fetch(feed_server.url("/6"))
    assert feed_server.asked("/0") == 1


def test_a_known_etag_gets_a_304_and_no_body(feed_server):
    feed_server.routes["/a.ics"] = feed("google.ics")
    first = fetch(feed_server.url("/a.ics"))

    again = fetch(feed_server.url("/a.ics"), etag=first.etag)

    assert first.etag and again.body is None
    assert feed_server.requests[-1].headers["If-None-Match"] == first.etag


def test_a_server_error_is_a_failure_that_says_the_status(feed_server):
    feed_server.routes["/broken.ics"] = status(500)
    with pytest.raises(FetchFailed, match="500"):
        fetch(feed_server.url("/broken.ics"))


def test_a_server_slower_than_the_timeout_is_given_up(feed_server, monkeypatch):
    monkeypatch.setattr(fetching, "TIMEOUT", 0.5)
    feed_server.routes["/slow.ics"] = slow(2)
    with pytest.raises(FetchFailed, match="répondu"):
        fetch(feed_server.url("/slow.ics"))


def test_a_body_beyond_the_size_limit_is_refused(feed_server, monkeypatch):
    monkeypatch.setattr(fetching, "MAX_BYTES", 1000)
    feed_server.routes["/big.ics"] = feed("wordpress.ics")
    with pytest.raises(FetchFailed, match="dépasse"):
        fetch(feed_server.url("/big.ics"))


def test_a_server_that_cannot_be_reached_is_a_failure(feed_server):
    feed_server.stop()
    with pytest.raises(FetchFailed, match="injoignable"):
        fetch(feed_server.url("/gone.ics"))
