"""Feeds are served from stored bytes with HTTP caching that calendar clients rely on."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from icalendar import Calendar, Event

from feeds import publishing
from feeds.models import PublishedFeed
from feeds.publishing import FeedContent, feed_publish
from feeds.tasks import feeds_mark_stale, publish_stale

pytestmark = pytest.mark.django_db


class FakeOrganizations:
    """A stand-in source: organization feeds whose events the test controls."""

    def __init__(self):
        self.summaries = {"apes": ["Café métiers"]}
        self.builds = 0

    def __call__(self, slug: str) -> FeedContent | None:
        if slug not in self.summaries:
            return None
        self.builds += 1
        vevents = []
        for n, summary in enumerate(self.summaries[slug]):
            event = Event()
            event.add("uid", f"{slug}-{n}@test")
            event.add("dtstamp", datetime(2026, 11, 1, tzinfo=UTC))
            event.add("dtstart", datetime(2026, 11, 17, 17, 30, tzinfo=UTC))
            event.add("summary", summary)
            vevents.append(event.to_ical())
        return FeedContent(name=f"Agenda {slug}", description="test", vevents=vevents,
                           zones={"Europe/Paris"}, years=(2026, 2026),
                           last_modified=datetime(2026, 11, 1, tzinfo=UTC))


@pytest.fixture
def source(monkeypatch):
    fake = FakeOrganizations()
    monkeypatch.setitem(publishing.SOURCES, "organization", fake)
    return fake


def test_first_request_builds_the_feed_once_then_serves_stored_bytes(client, source):
    first = client.get("/feeds/organizations/apes.ics")
    second = client.get("/feeds/organizations/apes.ics")
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    assert first.content == second.content
    assert source.builds == 1
    calendar = Calendar.from_ical(first.content)
    assert calendar["METHOD"] == "PUBLISH"
    assert [c["TZID"] for c in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert {sub.name for sub in calendar.walk("VTIMEZONE")[0].subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Café métiers"]


def test_unknown_feed_is_a_404(client, source):
    assert client.get("/feeds/organizations/nobody.ics").status_code == 404


def test_unchanged_feed_answers_304_to_etag_and_date(client, source):
    first = client.get("/feeds/organizations/apes.ics")
    assert first["Cache-Control"].startswith("public, max-age=")
    by_etag = client.get("/feeds/organizations/apes.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert by_etag.status_code == 304
    assert by_etag["ETag"] == first["ETag"]
    by_date = client.get("/feeds/organizations/apes.ics",
                         HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_date.status_code == 304


def test_republishing_unchanged_content_keeps_bytes_and_etag(client, source):
    first = client.get("/feeds/organizations/apes.ics")
    feed_publish(key="organization:apes")
    again = client.get("/feeds/organizations/apes.ics")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_changed_content_gets_a_new_etag_after_publishing(client, source):
    first = client.get("/feeds/organizations/apes.ics")
    source.summaries["apes"].append("Forum Entreprendre autrement")
    feed_publish(key="organization:apes")
    changed = client.get("/feeds/organizations/apes.ics", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert b"Forum Entreprendre autrement" in changed.content


def test_gzip_only_when_the_client_asks(client, source):
    plain = client.get("/feeds/organizations/apes.ics")
    assert "Content-Encoding" not in plain
    zipped = client.get("/feeds/organizations/apes.ics", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]


def test_head_answers_headers_without_a_body(client, source):
    get = client.get("/feeds/organizations/apes.ics")
    head = client.head("/feeds/organizations/apes.ics")
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(get.content))
    assert head["ETag"] == get["ETag"]


def test_a_burst_of_stale_marks_publishes_each_feed_once(client, source, django_capture_on_commit_callbacks):
    client.get("/feeds/organizations/apes.ics")
    source.summaries["apes"].append("Atelier")
    builds = source.builds
    with django_capture_on_commit_callbacks():
        for _ in range(50):
            feeds_mark_stale(["organization:apes"])
    assert PublishedFeed.objects.get(key="organization:apes").stale_since is not None
    assert publish_stale() == 1
    assert source.builds == builds + 1
    assert publish_stale() == 0


def test_repeated_polls_cost_no_database_query(client, source, django_assert_num_queries):
    first = client.get("/feeds/organizations/apes.ics")
    with django_assert_num_queries(0):
        assert client.get("/feeds/organizations/apes.ics",
                          HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert client.get("/feeds/organizations/apes.ics").content == first.content
