"""Agendas as real tools export them become the right events."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from events.models import Event, EventStatus
from imports import services
from imports.models import SourceItem
from tests.imports.conftest import feed

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


def at(n: int, hour: int, minute: int = 0, zone=PARIS) -> datetime:
    return datetime.combine(day(n), time(hour, minute), zone)


def imported(source) -> dict[str, Event]:
    return {e.title: e for e in Event.objects.filter(import_item__source=source)}


def sync(feed_server, add_source, name: str, **options):
    feed_server.routes[f"/{name}"] = feed(name)
    source = add_source(url=feed_server.url(f"/{name}"), **options)
    return source, services.source_sync(source_id=source.pk)


def test_a_google_calendar_export_gives_its_timed_and_all_day_events(feed_server, add_source):
    source, report = sync(feed_server, add_source, "google.ics")

    events = imported(source)
    assert (report.found, report.created) == (2, 2)
    cafe = events["Café de l'ESS : les CAE"]
    assert cafe.starts_at == datetime.combine(day(10), time(17), zoneinfo.ZoneInfo("UTC"))
    assert cafe.address == "Maison de l'ESS, 5 place de la République, 59000 Lille, France"
    assert cafe.status == EventStatus.PUBLISHED and cafe.organization == source.organization
    salon = events["Salon des initiatives ESS"]
    assert salon.all_day
    assert (salon.starts_at, salon.ends_at) == (at(20, 0), at(22, 0))


def test_a_nextcloud_calendar_keeps_its_zone_and_leaves_private_events_out(feed_server, add_source):
    source, report = sync(feed_server, add_source, "nextcloud.ics")

    velo = imported(source)["Atelier réparation vélo"]
    assert velo.starts_at == at(12, 14) and velo.ends_at == at(12, 17)
    assert velo.time_zone == "Europe/Paris"
    assert velo.description == "Apportez votre vélo.\nOutils fournis."
    assert report.created == 1
    assert [i["reason"] for i in report.ignored] == ["privé dans l'agenda d'origine (CLASS)"]


def test_outlook_windows_zone_names_are_read_as_their_places(feed_server, add_source):
    source, _report = sync(feed_server, add_source, "outlook.ics")

    events = imported(source)
    assert events["Comité de pilotage Mois de l'ESS"].starts_at == at(15, 9, 30)
    assert events["Forum emploi"].starts_at == at(16, 10)
    # The folded UID is read whole.
    assert SourceItem.objects.filter(uid__endswith="0A1B2C3D4E5F60718293A4B5C6D7E8F90").exists()


@pytest.mark.parametrize("name, title, url", [
    ("mobilizon.ics", "Soirée tiers-lieux", "https://mobilizon.fr/events/a4c1b2d3-e5f6-4789-abcd-ef0123456789"),
    ("gancio.ics", "Projection-débat : l'économie circulaire", "https://gancio.example.org/event/projection-debat"),
    ("wordpress.ics", "Formation : gouvernance partagée",
     "https://asso-solidaire.example.org/evenement/formation-gouvernance/"),
])
def test_mobilizon_gancio_and_wordpress_events_keep_their_link(feed_server, add_source, name, title, url):
    source, report = sync(feed_server, add_source, name)

    assert report.created == 1
    assert imported(source)[title].online_url == url


def test_gancio_floating_times_are_read_in_the_organizations_zone(feed_server, add_source):
    source, _report = sync(feed_server, add_source, "gancio.ics", time_zone="Europe/Paris")

    assert imported(source)["Projection-débat : l'économie circulaire"].starts_at == at(25, 18, 30)


def test_a_wordpress_description_folded_over_lines_is_read_whole(feed_server, add_source):
    source, _report = sync(feed_server, add_source, "wordpress.ics")

    assert imported(source)["Formation : gouvernance partagée"].description == (
        "Une journée pour s'initier à la gouvernance partagée.\n\nSur inscription.")


def test_a_recurring_event_gives_each_date_with_its_override_and_without_its_exdate(feed_server, add_source):
    source, _report = sync(feed_server, add_source, "recurring.ics")

    dates = sorted((e.starts_at, e.title) for e in Event.objects.filter(
        import_item__source=source, title__startswith="Café métiers"))
    assert dates == [(at(7, 18, 30), "Café métiers"),
                     (at(22, 19), "Café métiers (décalé au lendemain)"),
                     (at(28, 18, 30), "Café métiers"), (at(35, 18, 30), "Café métiers")]
    keys = set(SourceItem.objects.filter(source=source, uid="cafe-metiers@example.org")
               .values_list("recurrence_key", flat=True))
    assert len(keys) == 4 and "" not in keys


def test_floating_times_are_read_in_the_sources_zone_and_the_past_is_not_imported(feed_server, add_source):
    source, _report = sync(feed_server, add_source, "recurring.ics", time_zone="America/Martinique")

    events = imported(source)
    permanence = events["Permanence (heure flottante)"]
    assert permanence.starts_at == at(9, 10, zone=zoneinfo.ZoneInfo("America/Martinique"))
    assert "Déjà passé" not in events


def test_crlf_and_lf_line_ends_give_the_same_events(feed_server, add_source):
    feed_server.routes["/crlf.ics"] = feed("wordpress.ics", crlf=True)
    feed_server.routes["/lf.ics"] = feed("wordpress.ics", crlf=False)
    first = add_source(url=feed_server.url("/crlf.ics"))
    second = add_source(url=feed_server.url("/lf.ics"))
    services.source_sync(source_id=first.pk)
    services.source_sync(source_id=second.pk)

    def shape(source):
        return [(e.title, e.starts_at, e.ends_at, e.description, e.address)
                for e in Event.objects.filter(import_item__source=source)]

    assert shape(first) == shape(second) != []


def test_webcal_addresses_are_fetched_over_https(apes):
    source = services.source_create(actor=apes.organizer, organization=apes.organization, name="Agenda",
                                    kind="url", url="webcal://agenda.example.org/public.ics")
    assert source.url == "https://agenda.example.org/public.ics"


def test_a_duration_instead_of_an_end_and_a_calendar_zone_for_floating_times(feed_server, add_source):
    start = day(5).strftime("%Y%m%d").encode()
    body = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-TIMEZONE:America/Cayenne\r\n"
            b"BEGIN:VEVENT\r\nUID:d@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start
            + b"T100000\r\nDURATION:PT2H30M\r\nSUMMARY:Visite\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    feed_server.routes["/d.ics"] = body
    source = add_source(url=feed_server.url("/d.ics"))

    services.source_sync(source_id=source.pk)

    visit = imported(source)["Visite"]
    cayenne = zoneinfo.ZoneInfo("America/Cayenne")
    assert (visit.starts_at, visit.ends_at) == (at(5, 10, zone=cayenne), at(5, 12, 30, zone=cayenne))
