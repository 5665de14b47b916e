"""A hand-built campaign and its previous edition, counted by hand in the tests of its figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events.models import Campaign, EventStatus, Moderation, Theme
from network.models import OrganizationKind, Role
from tests.events.factories import CampaignFactory, EventFactory, RegistrationFactory, co_organize
from tests.factories import OrganizationFactory, member_of

PARIS = ZoneInfo("Europe/Paris")
APPROVED, PENDING, REJECTED = Moderation.APPROVED, Moderation.PENDING, Moderation.REJECTED
# Someone registered to the campaign: their name and address must appear in no output.
SECRET_NAME, SECRET_EMAIL = "Zoé Secrètement", "zoe.secretement@exemple.org"


def _at(year: int, day: int) -> datetime:
    return datetime.combine(date(year, 11, day), time(18), PARIS)


def _event(campaign: Campaign, organization, department: str, region: str, *, year: int, day: int,
           fmt: str = "atelier", moderation: str = APPROVED, status: str = EventStatus.PUBLISHED,
           themes=(), capacity=None, co=()):
    event = EventFactory(campaign=campaign, organization=organization, department=department, region=region,
                         starts_at=_at(year, day), ends_at=_at(year, day) + timedelta(hours=2),
                         format=fmt, moderation=moderation, status=status, capacity=capacity,
                         cancel_reason="Reporté." if status == EventStatus.CANCELLED else "")
    event.themes.set(themes)
    for partner in co:
        co_organize(event, partner)
    return event


@pytest.fixture
def edition(db):
    """The Mois de l'ESS 2026 and its 2025 edition:

    ====  ==========  ====  ==========  ========  ==========  ==================================
    2026  lead        dept  format      week      state       else
    ====  ==========  ====  ==========  ========  ==========  ==================================
    e1    APES        59    forum       1         public      coop; SCOP co-organizes; 10 seats
    e2    SCOP        62    atelier     2         public      coop, emploi; 20 seats
    e3    Mairie      72    atelier     2         public      emploi
    e4    Nouvelle    80    conférence  3         public      Mairie co-organizes
    e5    APES        59    atelier     3         draft
    e6    Nouvelle    80    atelier     3         refused
    e7    SCOP        62    atelier     3         cancelled
    e8    APES        59    atelier     4         pending
    ====  ==========  ====  ==========  ========  ==========  ==================================

    Registrations at e1: 8 confirmed (6 checked in) and 2 waitlisted; at e2: 3 confirmed.
    In 2025, APES (59, forum) and SCOP (62, atelier) held a public event each; the Nouvelle
    structure's was refused.
    """
    cress = OrganizationFactory(name="CRESS Hauts-de-France", slug="cress-hdf", kind=OrganizationKind.RESEAU)
    cress_pdl = OrganizationFactory(name="CRESS Pays de la Loire", slug="cress-pdl",
                                    kind=OrganizationKind.RESEAU, region="Pays de la Loire", department="44")
    apes = OrganizationFactory(name="APES", slug="apes")
    scop = OrganizationFactory(name="SCOP Baraka", slug="scop", kind=OrganizationKind.SCOP, department="62")
    mairie = OrganizationFactory(name="Mairie du Mans", slug="mairie", kind=OrganizationKind.COLLECTIVITE,
                                 region="Pays de la Loire", department="72")
    nouvelle = OrganizationFactory(name="La Nouvelle", slug="nouvelle", department="80")
    coop = Theme.objects.create(slug="essai-coop", name="Coopération")
    emploi = Theme.objects.create(slug="essai-emploi", name="Emploi")
    hdf, pdl = "Hauts-de-France", "Pays de la Loire"

    before = CampaignFactory(title="Mois de l'ESS 2025", slug="mois-ess-2025",
                             coordinators=[cress, cress_pdl], starts_on=date(2025, 11, 1),
                             ends_on=date(2025, 11, 30))
    _event(before, apes, "59", hdf, year=2025, day=5, fmt="forum")
    _event(before, scop, "62", hdf, year=2025, day=12)
    _event(before, nouvelle, "80", hdf, year=2025, day=12, moderation=REJECTED)

    campaign = CampaignFactory(title="Mois de l'ESS 2026", slug="mois-ess-2026",
                               coordinators=[cress, cress_pdl], starts_on=date(2026, 11, 1),
                               ends_on=date(2026, 11, 30), previous_edition=before)
    e1 = _event(campaign, apes, "59", hdf, year=2026, day=3, fmt="forum", themes=[coop], capacity=10,
                co=[scop])
    e2 = _event(campaign, scop, "62", hdf, year=2026, day=9, themes=[coop, emploi], capacity=20)
    _event(campaign, mairie, "72", pdl, year=2026, day=10, themes=[emploi])
    _event(campaign, nouvelle, "80", hdf, year=2026, day=16, fmt="conference", co=[mairie])
    _event(campaign, apes, "59", hdf, year=2026, day=17, status=EventStatus.DRAFT, moderation=PENDING)
    _event(campaign, nouvelle, "80", hdf, year=2026, day=18, moderation=REJECTED)
    _event(campaign, scop, "62", hdf, year=2026, day=19, status=EventStatus.CANCELLED)
    _event(campaign, apes, "59", hdf, year=2026, day=24, moderation=PENDING)

    RegistrationFactory(event=e1, name=SECRET_NAME, email=SECRET_EMAIL, checked_in_at=timezone.now())
    for n in range(7):
        RegistrationFactory(event=e1, checked_in_at=timezone.now() if n < 5 else None)
    for n in range(2):
        RegistrationFactory(event=e1, status="waitlisted", position=n + 1)
    for _n in range(3):
        RegistrationFactory(event=e2)

    ess_france = OrganizationFactory(name="ESS France", slug="ess-france", region="", department="")
    return SimpleNamespace(
        campaign=campaign, before=before, cress=cress, apes=apes,
        coordinator=member_of(cress, Role.COORDINATOR, email="coord@cress.test", full_name="Chloé Coord"),
        national=member_of(ess_france, Role.COORDINATOR, email="coord@essfrance.test"),
        organizer=member_of(apes, Role.ORGANIZER, email="orga@apes.test", full_name="Olga Orga"),
    )


@pytest.fixture
def computed(edition):
    """The public figures of the 2026 edition, as the worker stores them."""
    from observatory import snapshots
    from observatory.campaign import KIND, public_key

    return snapshots.snapshot_refresh(kind=KIND, key=public_key(edition.campaign))


def table(snapshot, slug: str, language: str = "fr") -> dict:
    """A table of the snapshot, as written in ``language``."""
    return next(t for t in snapshot.data[language]["tables"] if t["slug"] == slug)


def rows(snapshot, slug: str, language: str = "fr") -> dict:
    """A table's rows by their label."""
    return {row[0]: row[1:] for row in table(snapshot, slug, language)["rows"]}
