"""Demo imported agenda: CEAS 72 keeps its events in Nextcloud and imports the export.

The file is written here with dates relative to today (a weekly drop-in with one date
moved and one cancelled, an all-day open day, a workshop of the Mois de l'ESS, a private
meeting left out), then synced through the services like any upload: loading the demo
again uploads the new dates, and the events are updated in place, not added twice.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from icalendar import Calendar
from icalendar import Event as VEvent

from events.models import Campaign, EventFormat, Theme
from imports import services
from imports.models import Source, SourceKind
from network.models import Organization, Person

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NAME = "Agenda Nextcloud du CEAS 72"


def _campaign_year(today: date) -> int:
    return today.year if (today.month, today.day) <= (11, 15) else today.year + 1


def _vevent(uid: str, summary: str, start, end, **extra) -> VEvent:
    event = VEvent()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2026, 1, 5, 9, tzinfo=zoneinfo.ZoneInfo("UTC")))
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    for name, value in extra.items():
        event.add(name.replace("_", "-"), value)
    return event


def agenda(today: date) -> bytes:
    """The Nextcloud export of CEAS 72, dated from ``today``."""
    calendar = Calendar()
    calendar.add("prodid", "-//Nextcloud calendar v4.7.6//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "CEAS 72 (partagé)")
    monday = today + timedelta(days=7 - today.weekday())
    first = datetime.combine(monday, time(14), PARIS)
    uid, title, office = ("ceas72-permanence@nextcloud.ceas72.fr", "Permanence : entreprendre en ESS",
                          "CEAS 72, 1 rue de la Pelouse, 72000 Le Mans")
    drop_in = _vevent(uid, title, first, first + timedelta(hours=3), rrule={"freq": "weekly", "count": 8},
                      exdate=first + timedelta(weeks=3), location=office,
                      description="Sans rendez-vous : une question sur un projet associatif ou coopératif ?",
                      categories=["ESS", "Accompagnement"])
    moved = _vevent(uid, f"{title} (au Mans Centre)",
                    first + timedelta(weeks=5, hours=2), first + timedelta(weeks=5, hours=5),
                    recurrence_id=first + timedelta(weeks=5),
                    location="Café associatif Le Pied à l'Étrier, 25 rue du Port, 72000 Le Mans")
    open_day = monday + timedelta(days=12)
    doors = _vevent("ceas72-portes-ouvertes@nextcloud.ceas72.fr", "Portes ouvertes du CEAS 72", open_day,
                    open_day + timedelta(days=1), location=office)
    year = _campaign_year(today)
    workshop_start = datetime(year, 11, 17, 18, 0, tzinfo=PARIS)
    workshop = _vevent("ceas72-atelier-scic@nextcloud.ceas72.fr", "Atelier : créer une SCIC", workshop_start,
                       workshop_start + timedelta(hours=2), location="Salle Coppélia, 72200 La Flèche",
                       url="https://www.ceas72.fr/agenda/atelier-scic",
                       description="Statuts, gouvernance, financement : deux heures pour y voir clair.")
    meeting = _vevent("ceas72-equipe@nextcloud.ceas72.fr", "Réunion d'équipe", first + timedelta(days=2),
                      first + timedelta(days=2, hours=1), **{"class": "PRIVATE"})
    for component in (drop_in, moved, doors, workshop, meeting):
        calendar.add_component(component)
    return calendar.to_ical()


def load(*, today: date, log: Callable[[str], None]) -> None:
    organization = Organization.objects.get(slug="ceas-72")
    organizer = Person.objects.get(email="organisation@ceas72.demo")
    campaign = Campaign.objects.filter(slug=f"mois-ess-{_campaign_year(today)}").first()
    data = agenda(today)
    source = Source.objects.filter(organization=organization, name=NAME).first()
    if source is None:
        source = services.source_create(
            actor=organizer, organization=organization, name=NAME, kind=SourceKind.ICS, upload=data,
            upload_name="ceas72.ics", format=EventFormat.ATELIER, campaign=campaign,
            themes=Theme.objects.filter(slug="cooperation"))
    else:
        services.source_upload(actor=organizer, source=source, upload=data, upload_name="ceas72.ics")
    report = services.source_sync(source_id=source.pk, force=True)
    log(f"agenda importé « {NAME} » : {services.summary(report.as_dict())}")
