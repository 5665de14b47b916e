"""Demo of the programme: a moved event (search engines read it as rescheduled), an address
placed by the address API (its answer already in the cache, so the demo needs no internet),
an online-only event (printed under "En ligne", listed beside the map).

Rows are looked up by slug or address, so loading twice changes nothing.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from events.models import Event, EventFormat, EventStatus, Moderation
from network.models import Organization
from programme.models import GeocodedAddress, Rescheduled

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
LOMME = "Maison du projet, 12 rue de la Mitterie, 59160 Lomme"


def load(*, today: date, log: Callable[[str], None]) -> None:
    anchor = Event.objects.filter(slug="forum-ess-lilloise").select_related("campaign").first()
    if anchor is None or anchor.campaign is None:
        log("programme : pas de campagne de démonstration, rien à ajouter")
        return
    campaign = anchor.campaign
    apes = Organization.objects.get(slug="apes")
    cress = Organization.objects.get(slug="cress-hdf")

    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(campaign.starts_on + timedelta(days=day), time(hour, minute), PARIS)

    common = {"campaign": campaign, "moderation": Moderation.APPROVED, "status": EventStatus.PUBLISHED,
              "region": "Hauts-de-France", "department": "59"}
    Event.objects.update_or_create(slug="repair-cafe-lomme", defaults={
        **common, "title": "Repair café : réparer plutôt que jeter", "organization": apes,
        "format": EventFormat.ATELIER, "address": LOMME, "latitude": None, "longitude": None,
        "commune_insee": "59350", "starts_at": at(15, 14), "ends_at": at(15, 17), "price_text": "Gratuit",
        "description": "Venez avec un objet en panne : des bénévoles vous aident à le réparer. Café offert !",
    })
    GeocodedAddress.objects.update_or_create(query=LOMME, defaults={
        "found": True, "latitude": Decimal("50.644300"), "longitude": Decimal("2.987100"),
        "commune": "Lille", "citycode": "59350"})
    Event.objects.update_or_create(slug="webinaire-finance-solidaire", defaults={
        **common, "title": "Webinaire : placer son épargne dans l'ESS ?", "organization": cress,
        "format": EventFormat.CONFERENCE, "address": "", "online_url": "https://visio.essaim.demo/epargne",
        "starts_at": at(18, 12, 30), "ends_at": at(18, 13, 30), "price_text": "Gratuit",
        "description": "Une heure pour comprendre l'épargne solidaire ; questions en direct.",
    })
    moved = Event.objects.filter(slug="atelier-monter-scic").first()
    if moved is not None:
        Rescheduled.objects.update_or_create(event=moved, defaults={
            "previous_starts_at": moved.starts_at - timedelta(days=1)})
    log(f"programme : /programme/imprimer/?campaign={campaign.slug}&size=a5 (brochure), "
        f"/carte/?campaign={campaign.slug} (carte), /integrer/?campaign={campaign.slug} (intégration), "
        f"/feeds/campaigns/{campaign.slug}.rss (nouveautés)")
