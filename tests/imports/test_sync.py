"""Syncing a source: upsert by UID and RECURRENCE-ID through the events' own rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from events import services as event_services
from events.models import Event, EventStatus, Moderation, Registration
from feeds.models import PublishedFeed
from imports import reading, services
from imports.fetch import FetchFailed
from imports.models import Source, SourceItem
from imports.reading import SourceUnreadable
from network.models import Role
from tests.factories import PersonFactory
from tests.imports.conftest import feed, status
from worker.models import Message

MOVED = {"{d12}T140000": "{d12}T153000", "{d12}T170000": "{d12}T183000"}


@pytest.fixture
def nextcloud(feed_server, add_source):
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    source = add_source(url=feed_server.url("/cal.ics"))
    services.source_sync(source_id=source.pk)
    return source


def velo(source) -> Event:
    return Event.objects.get(import_item__source=source, title="Atelier réparation vélo")


def writes() -> tuple:
    """What a sync may write, to compare before and after."""
    return (Event.objects.count(), Event.objects.aggregate(Max("updated_at"))["updated_at__max"],
            SourceItem.objects.count(), list(SourceItem.objects.values_list("digest", flat=True)),
            Message.objects.count(), PublishedFeed.objects.filter(stale_since__isnull=False).count())


def test_an_unchanged_feed_answered_304_writes_no_event(feed_server, nextcloud):
    before = writes()

    report = services.source_sync(source_id=nextcloud.pk)

    assert report.not_modified
    assert writes() == before
    assert "If-None-Match" in feed_server.requests[-1].headers


def test_the_same_bytes_under_a_new_etag_write_no_event(feed_server, nextcloud):
    body = feed("nextcloud.ics")

    def answer(handler):
        handler.send_response(200)
        handler.send_header("ETag", f'"{timezone.now().timestamp()}"')
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    feed_server.routes["/cal.ics"] = answer
    before = writes()

    assert services.source_sync(source_id=nextcloud.pk).not_modified
    assert writes() == before


def test_a_moved_event_is_updated_in_place_with_its_sequence_raised_and_registrants_told(
        feed_server, nextcloud):
    event = velo(nextcloud)
    registrant = PersonFactory(email="inscrite@example.org")
    event_services.registration_create(event=event, person=registrant)
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics", **MOVED)

    report = services.source_sync(source_id=nextcloud.pk)

    moved = velo(nextcloud)
    assert (report.updated, report.created, moved.pk) == (1, 0, event.pk)
    assert moved.starts_at - event.starts_at == timedelta(minutes=90)
    assert moved.sequence == event.sequence + 1
    assert Message.objects.filter(kind="event_changed", to="inscrite@example.org").count() == 1


def test_an_event_gone_from_the_source_is_cancelled_and_its_registrants_told(feed_server, nextcloud):
    event = velo(nextcloud)
    event_services.registration_create(event=event, person=PersonFactory(email="inscrit@example.org"))
    feed_server.routes["/cal.ics"] = feed("google.ics")

    report = services.source_sync(source_id=nextcloud.pk)

    event.refresh_from_db()
    assert report.cancelled == 1 and report.created == 2
    assert event.status == EventStatus.CANCELLED and "Retiré de l'agenda d'origine" in event.cancel_reason
    assert Message.objects.filter(kind="event_cancelled", to="inscrit@example.org").count() == 1
    assert Event.objects.filter(pk=event.pk).exists()


def test_an_event_cancelled_in_the_source_is_cancelled(feed_server, nextcloud):
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics", **{"STATUS:CONFIRMED": "STATUS:CANCELLED"})

    services.source_sync(source_id=nextcloud.pk)

    assert velo(nextcloud).status == EventStatus.CANCELLED


@pytest.mark.parametrize("answer, error", [
    (status(500), FetchFailed),
    (lambda h: (h.send_response(200), h.send_header("Content-Length", "9"), h.end_headers(),
                h.wfile.write(b"<html>oh</")), SourceUnreadable),
])
def test_a_failure_leaves_the_events_as_they_were_and_records_the_error_with_a_backoff(
        feed_server, nextcloud, answer, error):
    feed_server.routes["/cal.ics"] = answer
    before = writes()

    for failures in (1, 2, 3):
        started = timezone.now()
        with pytest.raises(error):
            services.source_sync(source_id=nextcloud.pk)
        source = Source.objects.get(pk=nextcloud.pk)
        assert source.failures == failures and source.last_error
        wait = source.next_sync_at - started
        backoff = services.BACKOFF_FIRST * 2 ** (failures - 1)
        assert backoff <= wait < backoff + timedelta(seconds=30)
    assert writes() == before
    assert source.last_success_at is not None and source.content_hash

    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    services.source_sync(source_id=nextcloud.pk)
    source.refresh_from_db()
    assert (source.failures, source.last_error) == (0, "")
    assert source.next_sync_at > timezone.now() + timedelta(minutes=59)


def test_a_feed_suddenly_empty_cancels_nothing(feed_server, nextcloud):
    feed_server.routes["/cal.ics"] = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"

    with pytest.raises(services.SourceEmptied):
        services.source_sync(source_id=nextcloud.pk)

    assert velo(nextcloud).status == EventStatus.PUBLISHED


def test_imported_events_submitted_to_a_campaign_are_pending_like_any_other(feed_server, add_source, apes):
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    source = add_source(url=feed_server.url("/cal.ics"), campaign=apes.campaign)

    services.source_sync(source_id=source.pk)

    event = velo(source)
    assert (event.campaign, event.moderation) == (apes.campaign, Moderation.PENDING)


def test_dates_outside_the_campaign_are_imported_without_it(feed_server, add_source, apes):
    apes.campaign.ends_on = timezone.localdate() + timedelta(days=5)
    apes.campaign.save()
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    source = add_source(url=feed_server.url("/cal.ics"), campaign=apes.campaign)

    services.source_sync(source_id=source.pk)

    assert (velo(source).campaign, velo(source).moderation) == (None, Moderation.NONE)


@pytest.mark.parametrize("resubmit, after", [(True, Moderation.PENDING), (False, Moderation.APPROVED)])
def test_an_approved_event_moved_by_its_source_goes_back_to_moderation_only_if_the_campaign_says_so(
        feed_server, add_source, apes, resubmit, after):
    apes.campaign.resubmit_on_source_change = resubmit
    apes.campaign.save()
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    source = add_source(url=feed_server.url("/cal.ics"), campaign=apes.campaign)
    services.source_sync(source_id=source.pk)
    event_services.event_moderate(actor=apes.coordinator, event=velo(source), approve=True)

    feed_server.routes["/cal.ics"] = feed("nextcloud.ics", **{
        "LOCATION:La Ressourcerie, 12 rue du Port, Lille": "LOCATION:Le Bar Commun, Lille"})
    services.source_sync(source_id=source.pk)

    assert velo(source).address == "Le Bar Commun, Lille"
    assert velo(source).moderation == after


def test_a_text_change_keeps_an_approved_event_approved(feed_server, add_source, apes):
    apes.campaign.resubmit_on_source_change = True
    apes.campaign.save()
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    source = add_source(url=feed_server.url("/cal.ics"), campaign=apes.campaign)
    services.source_sync(source_id=source.pk)
    event_services.event_moderate(actor=apes.coordinator, event=velo(source), approve=True)

    feed_server.routes["/cal.ics"] = feed("nextcloud.ics", **{"Outils fournis.": "Outils et café fournis."})
    services.source_sync(source_id=source.pk)

    assert velo(source).moderation == Moderation.APPROVED
    assert velo(source).description.endswith("Outils et café fournis.")


def test_the_keyword_filter_keeps_only_events_whose_title_or_categories_hold_it(feed_server, add_source):
    feed_server.routes["/cal.ics"] = feed("google.ics").replace(b"Salon des initiatives ESS",
                                                                 b"Salon de la jeunesse")
    source = add_source(url=feed_server.url("/cal.ics"), keyword="ESS")

    report = services.source_sync(source_id=source.pk)

    assert [e.title for e in Event.objects.filter(import_item__source=source)] == ["Café de l'ESS : les CAE"]
    assert [i["reason"] for i in report.ignored] == ["ne contient pas « ESS »"]


def test_a_source_brings_at_most_its_limit_of_events(feed_server, add_source, monkeypatch):
    monkeypatch.setattr(reading, "MAX_EVENTS", 3)
    feed_server.routes["/cal.ics"] = feed("recurring.ics")
    source = add_source(url=feed_server.url("/cal.ics"))

    report = services.source_sync(source_id=source.pk)

    assert report.created == 3
    assert [i["reason"] for i in report.ignored] == ["au-delà de 3 événements par source"] * 2


def test_a_detached_event_is_no_longer_changed_by_its_source(feed_server, nextcloud, apes):
    services.item_detach(actor=apes.organizer, event=velo(nextcloud))
    feed_server.routes["/cal.ics"] = feed("google.ics")

    services.source_sync(source_id=nextcloud.pk)

    assert velo(nextcloud).status == EventStatus.PUBLISHED


def test_a_sync_whose_owner_no_longer_organizes_fails_saying_who_takes_it_over(feed_server, nextcloud, apes):
    apes.organizer.memberships.filter(role=Role.ORGANIZER).delete()
    feed_server.routes["/cal.ics"] = feed("google.ics")

    with pytest.raises(services.OwnerGone, match="enregistre les options"):
        services.source_sync(source_id=nextcloud.pk)

    other = PersonFactory()
    other.memberships.create(organization=apes.organization, role=Role.ORGANIZER)
    services.source_update(actor=other, source=nextcloud)
    assert services.source_sync(source_id=nextcloud.pk).created == 2


def test_a_preview_counts_without_keeping_anything(feed_server, apes):
    feed_server.routes["/cal.ics"] = feed("nextcloud.ics")
    before = (Source.objects.count(), Event.objects.count(), Message.objects.count())

    report = services.source_preview(actor=apes.organizer, organization=apes.organization, name="Essai",
                                     kind="url", url=feed_server.url("/cal.ics"))

    assert (report.found, report.created, len(report.ignored)) == (2, 1, 1)
    assert (Source.objects.count(), Event.objects.count(), Message.objects.count()) == before


def test_only_the_organizations_organizers_add_a_source(apes):
    with pytest.raises(services.NotAllowed):
        services.source_create(actor=apes.coordinator, organization=apes.organization, name="x", kind="url",
                               url="https://example.org/a.ics")


def test_a_file_source_needs_its_file(apes):
    with pytest.raises(ValidationError) as refused:
        services.source_create(actor=apes.organizer, organization=apes.organization, name="x", kind="ics")
    assert "file" in refused.value.message_dict


def test_deleting_a_source_keeps_its_events(nextcloud, apes):
    event = velo(nextcloud)
    assert services.source_delete(actor=apes.organizer, source=nextcloud) == 1
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and not SourceItem.objects.exists()


def test_registrations_stay_untouched_by_an_unchanged_sync(feed_server, nextcloud):
    registration = event_services.registration_create(event=velo(nextcloud), person=PersonFactory())
    services.source_sync(source_id=nextcloud.pk, force=True)
    assert Registration.objects.get(pk=registration.pk).status == registration.status
