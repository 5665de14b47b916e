"""Demo cooperations: two years of events the demo organizations organized together, then
every snapshot of the observatory computed, so that its pages show something on ``bin/dev``.

The events are past (days before today): the Lille structures work with each other, the
Roubaix ones too, the Métropole Européenne de Lille joins the two groups, CEAS 72 and its
partners work in Sarthe, and ESS France links the two CRESS (the bridges the page shows).
The year before counts fewer links: the network grows. Rows are looked up by slug and
written directly, as ``events/demo.py`` does, so that loading twice changes nothing.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from events.demo import PLACES, REGIONS
from events.models import CoOrganization, CoOrganizationStatus, Event, EventStatus, Moderation
from network.models import Organization
from observatory.snapshots import snapshots_refresh_daily

PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# slug, title, lead, co-organizers, format, days before today, place (events/demo.py PLACES)
COOPERATIONS = [
    # The past twelve months.
    ("coop-mutualiser-un-local", "Café coopération : mutualiser un local", "apes",
     ["mutualab", "grands-ensemble"], "cafe_metiers", 320, "lille-gare"),
    ("coop-numerique-solidaire", "Le numérique solidaire en pratique", "anis-catalyst", ["mutualab", "apes"],
     "atelier", 290, "lille-gare"),
    ("coop-mobilite-partagee", "Mobilité partagée dans la métropole", "lilas-autopartage",
     ["mel", "mutualab"], "conference", 262, "lille-wazemmes"),
    ("coop-forum-emploi-roubaix", "Forum de l'emploi solidaire à Roubaix", "ville-roubaix",
     ["upc-roubaix", "baraka", "kaleide"], "forum", 240, "roubaix-condition"),
    ("coop-petite-enfance-roubaix", "Petite enfance : les coopératives de Roubaix", "kaleide",
     ["ville-roubaix"], "atelier", 201, "roubaix-condition"),
    ("coop-repair-cafe-baraka", "Repair café au restaurant Baraka", "baraka", ["upc-roubaix"], "atelier",
     181, "roubaix-condition"),
    ("coop-plan-ess-metropole", "Le plan ESS de la Métropole : bilan partagé", "mel",
     ["cress-hdf", "apes", "ville-roubaix"], "rencontres", 150, "lille-gare"),
    ("coop-journee-cae", "Journée des entrepreneur·es salarié·es", "grands-ensemble", ["cress-hdf"],
     "rencontres", 131, "villeneuve"),
    ("coop-forum-ess-sarthe", "Forum de l'ESS en Sarthe", "ceas-72", ["le-mans-metropole", "cress-pdl"],
     "forum", 300, "le-mans-centre"),
    ("coop-formation-elus-sarthe", "Formation des élu·es à l'ESS", "le-mans-metropole", ["ceas-72"],
     "formation", 212, "le-mans-centre"),
    ("coop-ressourcerie-allonnes", "Visite de la ressourcerie d'Allonnes", "ceas-72", ["cress-pdl"],
     "visite", 122, "allonnes"),
    ("coop-rencontre-des-cress", "Rencontre des CRESS du Nord et de l'Ouest", "ess-france",
     ["cress-hdf", "cress-pdl"], "rencontres", 101, "arras"),
    ("coop-hackathon-tourcoing", "Hackathon des tiers-lieux", "mutualab",
     ["anis-catalyst", "lilas-autopartage"], "rencontres", 82, "tourcoing"),
    ("coop-cafe-tiers-lieux", "Café coopération : les tiers-lieux", "apes", ["mutualab"], "cafe_metiers", 61,
     "lille-gare"),
    ("coop-finance-solidaire-amiens", "La finance solidaire en Picardie", "cress-hdf", ["apes"],
     "conference", 45, "amiens"),
    ("coop-travail-choisi", "Travail choisi et revenu de base", "upc-roubaix", ["ville-roubaix", "baraka"],
     "conference", 31, "roubaix-condition"),
    ("coop-projection-sable", "Projection-débat : vivre l'ESS à la campagne", "ceas-72",
     ["le-mans-metropole"], "projection", 22, "sable"),
    # The twelve months before.
    ("coop-cafe-coworking", "Café coopération : le coworking associatif", "apes", ["mutualab"],
     "cafe_metiers", 690, "lille-gare"),
    ("coop-creer-en-cae", "Créer son activité en coopérative", "grands-ensemble", ["apes"], "atelier", 600,
     "villeneuve"),
    ("coop-roubaix-citoyenne", "Roubaix citoyenne et solidaire", "ville-roubaix", ["upc-roubaix"],
     "conference", 561, "roubaix-condition"),
    ("coop-ess-sarthe-rencontres", "Rencontres de l'ESS sarthoise", "ceas-72", ["le-mans-metropole"],
     "rencontres", 522, "le-mans-centre"),
    ("coop-ess-metropole", "L'ESS dans la métropole lilloise", "mel", ["apes"], "rencontres", 452,
     "lille-gare"),
    ("coop-cuisine-zero-dechet", "Cuisine zéro déchet", "baraka", ["upc-roubaix"], "atelier", 421,
     "roubaix-condition"),
    ("coop-autopartage-coworkers", "L'autopartage pour les coworkers", "lilas-autopartage", ["mutualab"],
     "atelier", 401, "lille-wazemmes"),
]


def _cooperations(*, today: date) -> int:
    organizations = {o.slug: o for o in Organization.objects.all()}
    for slug, title, lead, co, fmt, days, place in COOPERATIONS:
        address, lat, lng, department, insee = PLACES[place]
        starts_at = datetime.combine(today - timedelta(days=days), time(18 if fmt == "cafe_metiers" else 10),
                                     PARIS)
        event, _created = Event.objects.update_or_create(slug=slug, defaults={
            "title": title, "organization": organizations[lead], "format": fmt,
            "status": EventStatus.PUBLISHED, "audience": "Tout public",
            "description": f"{title}. Organisé ensemble par des structures de l'ESS.",
            "price_text": "Gratuit", "campaign": None, "moderation": Moderation.NONE,
            "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2 if fmt == "cafe_metiers" else 6),
            "time_zone": "Europe/Paris", "address": address, "latitude": Decimal(lat),
            "longitude": Decimal(lng), "region": REGIONS[department], "department": department,
            "commune_insee": insee,
        })
        partners = [organizations[c] for c in co]
        asked = starts_at - timedelta(days=30)
        for partner in partners:
            CoOrganization.objects.update_or_create(event=event, organization=partner, defaults={
                "status": CoOrganizationStatus.ACCEPTED, "requested_at": asked,
                "decided_at": asked + timedelta(days=2)})
        event.co_organizations.exclude(organization__in=partners).delete()
        event.co_organizers.set(partners)
    return len(COOPERATIONS)


def load(*, today: date, log: Callable[[str], None]) -> None:
    log(f"{_cooperations(today=today)} événements co-organisés sur deux ans")
    log(f"{snapshots_refresh_daily()} instantanés de l'observatoire calculés")
