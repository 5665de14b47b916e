"""Demo spaces: Lille-area tiers-lieux (the ch'tipass network) and a Le Mans venue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, time, timedelta
from decimal import Decimal

from network.models import Organization
from spaces.models import Closure, Room, Space
from spaces.services import Range, opening_hours_set

RoomRow = tuple[str, str, int, list[str]]
SPACES: list[tuple[str, str, str, str, str, str, str, str, int, list[str], list[RoomRow]]] = [
    # slug, name, operator slug, address, lat, lng, dept, insee, desks, amenities, rooms
    ("mutualab", "Mutualab", "mutualab", "5 place de la République, 59000 Lille",
     "50.631600", "3.059800", "59", "59350", 60, ["wifi", "café", "fablab", "cuisine"],
     [("grande-salle", "Grande salle", 60, ["vidéoprojecteur", "sono"]),
      ("salle-atelier", "Salle atelier", 20, ["paperboard"])]),
    ("maison-economie-solidaire", "Maison de l'Économie Solidaire", "apes",
     "235 boulevard Paul Painlevé, 59000 Lille", "50.619900", "3.077300", "59", "59350", 25,
     ["wifi", "café", "accessible PMR"],
     [("salle-des-reseaux", "Salle des réseaux", 40, ["vidéoprojecteur"])]),
    ("atelier-grands-ensemble", "L'Atelier Grands Ensemble", "grands-ensemble",
     "12 rue Gosselet, 59000 Lille", "50.628300", "3.069100", "59", "59350", 20,
     ["wifi", "café"], [("salle-cooperation", "Salle Coopération", 16, ["écran"])]),
    ("fabrique-roubaix", "La Fabrique roubaisienne", "ville-roubaix",
     "20 rue de l'Alma, 59100 Roubaix", "50.695600", "3.168900", "59", "59512", 30,
     ["wifi", "accessible PMR", "parking vélo"],
     [("auditorium", "Auditorium", 120, ["vidéoprojecteur", "sono", "boucle magnétique"])]),
    ("relais-roncq", "Le Relais de Roncq", "kaleide", "8 rue de Lille, 59223 Roncq",
     "50.753200", "3.121900", "59", "59508", 12, ["wifi", "jardin"],
     [("salle-du-jardin", "Salle du jardin", 25, [])]),
    ("maison-associations-le-mans", "Maison des associations du Mans", "le-mans-metropole",
     "4 rue d'Arcole, 72000 Le Mans", "48.005300", "0.197100", "72", "72181", 0,
     ["accessible PMR"], [("salle-polyvalente", "Salle polyvalente", 80, ["vidéoprojecteur"])]),
]

REGIONS = {"59": "Hauts-de-France", "72": "Pays de la Loire"}

WEEKDAYS = range(0, 5)
HOURS: dict[str, list[tuple[Iterable[int], time, time]]] = {
    # slug: [(weekdays, opens, closes)]
    "mutualab": [(WEEKDAYS, time(8, 30), time(19)), ([5], time(10), time(17))],
    "maison-economie-solidaire": [(WEEKDAYS, time(9), time(12, 30)), (WEEKDAYS, time(13, 30), time(17, 30))],
    "atelier-grands-ensemble": [(WEEKDAYS, time(9), time(18))],
    "fabrique-roubaix": [(range(1, 6), time(9), time(18))],
    # Members badge in around the clock here: the demo's desk can check someone in at any hour
    # (time.max: open until midnight, its last minute included).
    "relais-roncq": [(range(7), time(0), time.max)],
    "maison-associations-le-mans": [(WEEKDAYS, time(9), time(18))],
}
SELF_CHECKIN = {"mutualab"}
# slug, reason, first and last day (from today)
CLOSURES = [
    ("relais-roncq", "Fermeture pour inventaire (démo)", 10, 11),
    ("mutualab", "Congés de fin d'année (démo)", 21, 27),
    ("mutualab", "Journée de formation de l'équipe (démo)", -12, -12),
]


def load(*, today: date, log: Callable[[str], None]) -> None:
    operators = {o.slug: o for o in Organization.objects.all()}
    rooms = 0
    for (slug, name, operator, address, lat, lng, dept, insee, desks, amenities,
         space_rooms) in SPACES:
        space, _ = Space.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name, "operator": operators[operator], "address": address,
                "latitude": Decimal(lat), "longitude": Decimal(lng), "department": dept,
                "region": REGIONS[dept], "commune_insee": insee, "desk_capacity": desks,
                "amenities": amenities, "contact_email": f"bonjour@{slug}.demo",
            },
        )
        opening_hours_set(space=space, ranges=[
            Range(weekday=day, opens=opens, closes=closes)
            for days, opens, closes in HOURS[slug] for day in days
        ])
        if space.self_checkin_allowed != (slug in SELF_CHECKIN):
            space.self_checkin_allowed = slug in SELF_CHECKIN
            space.save(update_fields=["self_checkin_allowed"])
        for room_slug, room_name, capacity, equipment in space_rooms:
            Room.objects.update_or_create(
                space=space, slug=room_slug,
                defaults={"name": room_name, "capacity": capacity, "equipment": equipment},
            )
            rooms += 1
    # Closures, keyed on their reason so that reloading moves them instead of adding some.
    for slug, reason, first, last in CLOSURES:
        Closure.objects.update_or_create(
            space=Space.objects.get(slug=slug), reason=reason,
            defaults={"starts_on": today + timedelta(days=first), "ends_on": today + timedelta(days=last)},
        )
    log(f"{len(SPACES)} espaces avec leurs horaires, {rooms} salles")
