"""Demo events: the Mois de l'ESS in Hauts-de-France and Sarthe, a monthly café métiers, registrations.

The campaign is the coming (or current) November, coordinated by CRESS
Hauts-de-France and CRESS Pays de la Loire; the November before is its previous edition,
over, with attendance taken at the door, so that the campaign's figures have something to
compare with. Rows are looked up by slug (events)
or by (event, email) (registrations), so loading twice changes nothing. Rows
are written directly rather than through the services: the demo must not
queue emails, and its rooms are planned here without overlaps.
"""

from __future__ import annotations

import io
import zoneinfo
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from events import images
from events.models import (
    Audience,
    Campaign,
    CoOrganization,
    CoOrganizationStatus,
    Event,
    EventMessage,
    EventStatus,
    Moderation,
    ModerationDecision,
    Registration,
    RegistrationStatus,
    Series,
    Theme,
)
from events.services import recurrence_dates
from network.models import Membership, Organization, Person, Role
from network.territories import commune_from_address
from spaces.models import Room

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
APPROVED, PENDING, REJECTED = Moderation.APPROVED, Moderation.PENDING, Moderation.REJECTED

# Free addresses (no coworking room): address, latitude, longitude, department, commune INSEE.
PLACES = {
    "lille-wazemmes": ("Marché de Wazemmes, place de la Nouvelle Aventure, 59000 Lille", "50.626400",
                       "3.049500", "59", "59350"),
    "lille-gare": ("Gare Saint-Sauveur, 17 boulevard Jean-Baptiste Lebas, 59000 Lille", "50.629700",
                   "3.069200", "59", "59350"),
    "roubaix-condition": ("La Condition Publique, 14 place Faidherbe, 59100 Roubaix", "50.682600",
                          "3.170000", "59", "59512"),
    "tourcoing": ("Maison des associations, 100 rue de Lille, 59200 Tourcoing", "50.720000", "3.155000",
                  "59", "59599"),
    "villeneuve": ("Ferme du Héron, chemin de la Ferme Lenglet, 59650 Villeneuve-d'Ascq", "50.643800",
                   "3.154200", "59", "59009"),
    "arras": ("Maison de l'ESS, 10 rue Désiré Delansorne, 62000 Arras", "50.291000", "2.777500", "62",
              "62041"),
    "amiens": ("Citadelle d'Amiens, 10 rue des Français Libres, 80000 Amiens", "49.903000", "2.296000",
               "80", "80021"),
    "le-mans-centre": ("Café associatif Le Pied à l'Étrier, 25 rue du Port, 72000 Le Mans", "48.008200",
                       "0.196600", "72", "72181"),
    "allonnes": ("Ressourcerie Cagibi, 5 rue Jean Jaurès, 72700 Allonnes", "47.968100", "0.159600", "72",
                 "72003"),
    "la-fleche": ("Salle Coppélia, 2 rue de la Tour d'Auvergne, 72200 La Flèche", "47.699800",
                  "-0.075700", "72", "72154"),
    "sable": ("Centre culturel Joël Le Theule, rue Saint-Denis, 72300 Sablé-sur-Sarthe", "47.839200",
              "-0.333700", "72", "72264"),
    "mamers": ("Espace jeunesse, place Carnot, 72600 Mamers", "48.349000", "0.369800", "72", "72180"),
}
REGIONS = {"59": "Hauts-de-France", "62": "Hauts-de-France", "80": "Hauts-de-France",
           "72": "Pays de la Loire"}

# slug, title, lead, co-organizers, format, themes, November day, start, hours, venue
# ("space/room" or a PLACES key), capacity, moderation, status
EVENTS = [
    ("forum-entreprendre-autrement", "Forum « Entreprendre autrement »", "ceas-72", ["le-mans-metropole"],
     "forum", ["cooperation", "emploi"], 19, "09:30", 7.5, "maison-associations-le-mans/salle-polyvalente",
     80, APPROVED, "published"),
    ("forum-ess-lilloise", "Forum de l'ESS lilloise", "apes", ["mel", "cress-hdf"], "forum",
     ["cooperation", "emploi"], 7, "10:00", 7, "maison-economie-solidaire/salle-des-reseaux", 40, APPROVED,
     "published"),
    ("portes-ouvertes-mutualab", "Portes ouvertes du Mutualab", "mutualab", [], "visite", ["cooperation"], 6,
     "17:00", 3, "mutualab/grande-salle", None, APPROVED, "published"),
    ("cafe-metiers-scop", "Café métiers : travailler dans une SCOP", "grands-ensemble", ["apes"],
     "cafe_metiers", ["emploi", "cooperation"], 10, "18:30", 2,
     "atelier-grands-ensemble/salle-cooperation", 16, APPROVED, "published"),
    ("atelier-monter-scic", "Atelier : monter une SCIC", "lilas-autopartage", ["grands-ensemble"],
     "atelier", ["cooperation"], 12, "14:00", 3, "lille-gare", 25, APPROVED, "published"),
    ("autopartage-mode-d-emploi", "L'autopartage, mode d'emploi", "lilas-autopartage", [], "atelier",
     ["mobilite"], 14, "10:00", 2, "lille-wazemmes", 20, APPROVED, "published"),
    ("essaimer-roubaix", "Journée ESSAIMER à Roubaix", "ville-roubaix", ["upc-roubaix", "baraka"],
     "rencontres", ["cooperation", "insertion"], 15, "09:00", 8, "fabrique-roubaix/auditorium", 120, APPROVED,
     "published"),
    ("monnaie-locale-revenu-base", "Conférence-débat : monnaie locale et revenu de base", "upc-roubaix", [],
     "conference", ["finance-solidaire"], 13, "19:00", 2, "roubaix-condition", 60, APPROVED, "published"),
    ("zero-dechet-baraka", "Atelier zéro déchet au restaurant Baraka", "baraka", [], "atelier",
     ["economie-circulaire", "alimentation"], 21, "10:00", 3, "roubaix-condition", 15, APPROVED,
     "published"),
    ("petite-enfance-cooperative", "Visite : la petite enfance en coopérative", "kaleide", [], "visite",
     ["jeunesse"], 18, "14:00", 2, "relais-roncq/salle-du-jardin", 20, APPROVED, "published"),
    ("numerique-innovation-sociale", "Le numérique au service de l'innovation sociale", "anis-catalyst",
     ["mutualab"], "atelier", ["numerique"], 20, "18:00", 2, "mutualab/salle-atelier", 20, APPROVED,
     "published"),
    ("hackathon-solidaire", "Hackathon solidaire", "anis-catalyst", ["mutualab"], "rencontres",
     ["numerique", "insertion"], 28, "09:00", 9, "mutualab/grande-salle", 60, APPROVED, "published"),
    ("reparer-son-velo", "Atelier : réparer son vélo", "mutualab", ["lilas-autopartage"], "atelier",
     ["mobilite", "economie-circulaire"], 27, "17:30", 2, "mutualab/salle-atelier", 12, APPROVED,
     "published"),
    ("finance-solidaire-hdf", "Comprendre la finance solidaire", "cress-hdf", ["apes"], "conference",
     ["finance-solidaire"], 17, "18:00", 2, "maison-economie-solidaire/salle-des-reseaux", 40, APPROVED,
     "published"),
    ("ess-et-emploi-tourcoing", "ESS et emploi : rencontres à Tourcoing", "mel", [], "rencontres",
     ["emploi", "insertion"], 24, "09:30", 6, "tourcoing", 80, APPROVED, "published"),
    ("ferme-du-heron", "Visite de la Ferme du Héron", "apes", [], "visite", ["alimentation", "environnement"],
     8, "10:00", 3, "villeneuve", 25, APPROVED, "published"),
    ("ess-arras", "Petit-déjeuner de l'ESS à Arras", "cress-hdf", [], "rencontres", ["cooperation"], 25,
     "08:30", 2, "arras", 30, APPROVED, "published"),
    ("projection-amiens", "Projection-débat : « Les coopératives, c'est nous »", "cress-hdf", [],
     "projection", ["culture", "cooperation"], 26, "20:00", 2, "amiens", 100, APPROVED, "published"),
    ("cafe-metiers-insertion", "Café métiers de l'insertion", "grands-ensemble", ["apes"], "cafe_metiers",
     ["insertion", "emploi"], 24, "18:30", 2, "atelier-grands-ensemble/salle-cooperation", 16, APPROVED,
     "published"),
    ("recyclerie-wazemmes", "Une recyclerie à Wazemmes ?", "apes", ["mel"], "atelier",
     ["economie-circulaire"], 29, "10:00", 2, "lille-wazemmes", 30, PENDING, "published"),
    ("culture-solidaire-roubaix", "Culture et solidarité à Roubaix", "upc-roubaix", ["ville-roubaix"],
     "conference", ["culture"], 30, "18:30", 2, "fabrique-roubaix/auditorium", 120, PENDING, "published"),
    ("monnaies-locales-tourcoing", "Soirée des monnaies locales", "mel", [], "conference",
     ["finance-solidaire"], 30, "18:00", 2, "tourcoing", 50, APPROVED, "published"),
    ("jardin-partage-roncq", "Fête du jardin partagé", "kaleide", [], "visite", ["environnement"], 22,
     "11:00", 4, "relais-roncq/salle-du-jardin", None, REJECTED, "published"),
    ("mutuelles-solidaires", "Mutuelles et santé solidaire", "cress-hdf", [], "conference", ["sante"], 4,
     "18:00", 2, "maison-economie-solidaire/salle-des-reseaux", 40, APPROVED, "cancelled"),
    ("brouillon-mutualab", "Soirée des coworkers solidaires", "mutualab", [], "rencontres", ["cooperation"],
     26, "19:00", 3, "mutualab/grande-salle", 50, PENDING, "draft"),
    ("cafe-citoyen-le-mans", "Café citoyen : l'ESS en Sarthe", "ceas-72", [], "cafe_metiers",
     ["cooperation"], 5, "18:30", 2, "le-mans-centre", 30, APPROVED, "published"),
    ("ressourcerie-allonnes", "Visite de la ressourcerie d'Allonnes", "ceas-72", [], "visite",
     ["economie-circulaire"], 14, "14:00", 2, "allonnes", 15, APPROVED, "published"),
    ("finance-solidaire-la-fleche", "Conférence-débat : épargner solidaire", "ceas-72", ["cress-pdl"],
     "conference", ["finance-solidaire"], 20, "20:00", 2, "la-fleche", 80, APPROVED, "published"),
    ("projection-sable", "Projection-débat à Sablé-sur-Sarthe", "ceas-72", [], "projection", ["culture"],
     26, "20:30", 2, "sable", 90, PENDING, "published"),
    ("atelier-jeunesse-mamers", "Atelier jeunesse : entreprendre en coopérative", "ceas-72",
     ["le-mans-metropole"], "atelier", ["jeunesse", "cooperation"], 28, "14:00", 3, "mamers", 20, PENDING,
     "published"),
    ("formation-benevoles-le-mans", "Formation des bénévoles associatifs", "le-mans-metropole", ["ceas-72"],
     "formation", ["cooperation"], 12, "09:00", 7, "maison-associations-le-mans/salle-polyvalente", 30,
     APPROVED, "published"),
]

# Requests still waiting for an answer: (event, invited organization). APES's organizer
# (organisation@apes.demo) finds this one on "Mes événements".
PENDING_CO_ORGANIZATIONS = [("portes-ouvertes-mutualab", "apes")]

CANCEL_REASON = "Intervenante indisponible, reporté au printemps."
REJECT_COMMENT = "Belle initiative, mais sans lien avec l'ESS : proposez-la hors campagne."


def _campaign_year(today: date) -> int:
    """The coming Mois de l'ESS: this year's until mid-November, next year's after, so
    most of the demo's campaign events are still ahead."""
    return today.year if (today.month, today.day) <= (11, 15) else today.year + 1


def _venue(venue: str, rooms: dict[str, Room]) -> dict:
    if "/" in venue:
        room = rooms[venue]
        space = room.space
        return {"room": room, "address": "", "latitude": None, "longitude": None, "region": space.region,
                "department": space.department, "commune_insee": space.commune_insee}
    address, lat, lng, dept, insee = PLACES[venue]
    return {"room": None, "address": address, "latitude": Decimal(lat), "longitude": Decimal(lng),
            "region": REGIONS[dept], "department": dept, "commune_insee": insee}


def _department(venue: str, rooms: dict[str, Room]) -> str:
    return rooms[venue].space.department if "/" in venue else PLACES[venue][3]


def _decided_at(today: date, day: int) -> datetime:
    """Decisions were made a few days ago, the earlier events' first."""
    return datetime.combine(today - timedelta(days=3 + day % 9), time(9 + day % 8, 15), PARIS)


# A pending event with a past: refused, then edited by its organizers (which submits it again).
RESUBMITTED = ("culture-solidaire-roubaix", "Merci de préciser l'accessibilité de l'auditorium et le tarif.")


def _history(events: dict[str, Event], *, moderators: dict[str, Person | None], today: date) -> int:
    """Each decided event's decision as its history, plus an earlier refusal of a pending one."""
    ModerationDecision.objects.filter(event__in=events.values()).delete()
    rows = [ModerationDecision(event=e, campaign=e.campaign, decision=e.moderation,
                               comment=e.moderation_comment, decided_by=e.moderated_by,
                               decided_at=e.moderated_at)
            for e in events.values() if e.moderated_at is not None and e.campaign_id]
    slug, comment = RESUBMITTED
    event = events[slug]
    refused_at = datetime.combine(today - timedelta(days=6), time(16, 40), PARIS)
    rows.append(ModerationDecision(event=event, campaign=event.campaign, decision=REJECTED, comment=comment,
                                   decided_by=moderators[event.region], decided_at=refused_at))
    ModerationDecision.objects.bulk_create(rows)
    return len(rows)


def _save_event(slug: str, *, lead: Organization, co: list[Organization], themes: list[Theme],
                **fields) -> Event:
    event, _ = Event.objects.update_or_create(slug=slug, defaults={"organization": lead, **fields})
    event.co_organizers.set(co)
    event.themes.set(themes)
    return event


def _poster(background: str, stripes: str, sun: str) -> str:
    """A poster drawn here (no file to ship, no font to rely on), accepted and stored as an
    upload would be; drawn the same every time, so loading again stores nothing new."""
    canvas = Image.new("RGB", (1200, 630), background)
    draw = ImageDraw.Draw(canvas)
    for x in range(-630, 1200, 90):
        draw.polygon([(x, 630), (x + 45, 630), (x + 675, 0), (x + 630, 0)], fill=stripes)
    draw.ellipse((760, 110, 1170, 520), fill=sun)
    draw.rounded_rectangle((60, 420, 700, 560), radius=24, fill="white")
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return images.store(images.prepare(ContentFile(out.getvalue(), name="affiche.png")))


# Events shown with everything the form offers: an image, a price, the audience, accessibility,
# an online link and a registration window.
SHOWCASE: dict[str, dict[str, Any]] = {
    "forum-entreprendre-autrement": {
        "image": ("#e8772e", "#f2a65a", "#2b5797"),
        "image_alt": "Affiche du forum : rayures orange et un soleil bleu",
        "price_text": "5 €, gratuit pour les adhérent·es et les demandeur·ses d'emploi",
        "audience": "Porteur·ses de projet, salarié·es en reconversion",
        "accessibility": "Salle de plain-pied, accessible en fauteuil roulant ; boucle magnétique "
                         "à l'accueil. Tram T1, arrêt Préfecture.",
        "online_url": "https://visio.essaim.demo/forum-entreprendre-autrement",
    },
    "reparer-son-velo": {
        "image": ("#2c7a5b", "#58a882", "#f2c14e"),
        "image_alt": "Affiche de l'atelier : rayures vertes et un soleil jaune",
        "price_text": "Prix libre",
        "audience": "Tout public, dès 12 ans",
        "accessibility": "Atelier en rez-de-chaussée ; outils adaptés sur demande.",
    },
}


def _register(event: Event, count: int, *, people: Sequence[Person] = ()) -> None:
    """``people`` then numbered guests, first come first served against the capacity."""
    entrants: list[tuple[str, str, Person | None]] = [(p.get_full_name(), p.email, p) for p in people]
    entrants += [(f"Participant·e {n}", f"participant{n}@essaim.demo", None) for n in range(1, count + 1)]
    for rank, (name, email, person) in enumerate(entrants):
        position = None if event.capacity is None or rank < event.capacity else rank - event.capacity + 1
        Registration.objects.update_or_create(event=event, email=email, defaults={
            "name": name, "person": person,
            "status": RegistrationStatus.CONFIRMED if position is None else RegistrationStatus.WAITLISTED,
            "position": position,
        })


def _co_organizations(events: list[Event], *, today: date) -> int:
    """Each event's co-organizers accepted a fortnight ago; the pending requests were sent two
    days ago. Rows as the services would leave them (``CoOrganization`` and the accepted set)."""
    asked = datetime.combine(today - timedelta(days=16), time(10), PARIS)
    people = {m.organization_id: m.person for m in Membership.objects.filter(
        role__in=[Role.ORGANIZER, Role.ADMIN]).select_related("person").order_by("-person_id")}
    pending = {(slug, org) for slug, org in PENDING_CO_ORGANIZATIONS}
    slugs = {o.slug: o for o in Organization.objects.filter(slug__in={org for _, org in pending})}
    for event in events:
        answered = [(o, CoOrganizationStatus.ACCEPTED, asked, asked + timedelta(days=2))
                    for o in event.co_organizers.all()]
        waiting = [(slugs[org], CoOrganizationStatus.PENDING, asked + timedelta(days=14), None)
                   for slug, org in pending if slug == event.slug]
        for organization, status, requested_at, decided_at in answered + waiting:
            CoOrganization.objects.update_or_create(event=event, organization=organization, defaults={
                "status": status, "requested_at": requested_at, "decided_at": decided_at,
                "requested_by": people.get(event.organization_id),
                "decided_by": people.get(organization.pk) if decided_at else None})
        event.co_organizations.exclude(organization__in=[o for o, *_ in answered + waiting]).delete()
    return len(pending)


def load(*, today: date, log: Callable[[str], None]) -> None:
    year = _campaign_year(today)
    organizations = {o.slug: o for o in Organization.objects.all()}
    rooms = {f"{r.space.slug}/{r.slug}": r for r in Room.objects.select_related("space")}
    themes = {t.slug: t for t in Theme.objects.all()}

    campaign, _ = Campaign.objects.update_or_create(slug=f"mois-ess-{year}", defaults={
        "title": f"Mois de l'ESS {year}", "label": f"Mois de l'ESS {year}",
        "description": "Chaque année en novembre, les acteurs de l'économie sociale et solidaire "
                       "ouvrent leurs portes : forums, cafés métiers, visites, ateliers.",
        "starts_on": date(year, 11, 1), "ends_on": date(year, 11, 30),
        "submissions_open_on": min(date(year, 9, 1), today), "submissions_close_on": date(year, 11, 20),
        "moderation_required": True,
    })
    # ESS France has no region: its coordinators moderate everywhere, each CRESS in its region.
    campaign.coordinators.set([organizations["cress-hdf"], organizations["cress-pdl"],
                               organizations["ess-france"]])
    # Each CRESS moderates its own region's events (see events.selectors.events_moderated_by).
    moderators = {region: Person.objects.filter(email=email).first() for region, email in [
        ("Hauts-de-France", "coordination@cress-hdf.demo"),
        ("Pays de la Loire", "coordination@cress-pdl.demo")]}

    events = {}
    for (slug, title, lead, co, fmt, theme_slugs, day, start, hours, venue, capacity, moderation,
         status) in EVENTS:
        starts_at = datetime.combine(date(year, 11, day), time.fromisoformat(start), PARIS)
        events[slug] = _save_event(
            slug, lead=organizations[lead], co=[organizations[c] for c in co],
            themes=[themes[t] for t in theme_slugs], title=title, format=fmt,
            description=f"{title}. Une rencontre du Mois de l'ESS {year}, ouverte à toutes et tous.",
            audience="Tout public", price_text="Gratuit", status=status, campaign=campaign,
            moderation=moderation,
            moderated_by=moderators[REGIONS[_department(venue, rooms)]] if moderation != PENDING else None,
            moderated_at=_decided_at(today, day) if moderation != PENDING else None,
            moderation_comment=REJECT_COMMENT if moderation == REJECTED else "",
            cancel_reason=CANCEL_REASON if status == EventStatus.CANCELLED else "",
            # Cancelled two days ago: the feeds keep it, marked cancelled, for 31 days.
            cancelled_at=(datetime.combine(today - timedelta(days=2), time(10), PARIS)
                          if status == EventStatus.CANCELLED else None),
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), time_zone="Europe/Paris",
            capacity=capacity, accessibility="Lieu accessible en fauteuil roulant." if "/" in venue else "",
            **_venue(venue, rooms),
        )
    for slug, showcase in SHOWCASE.items():
        event = events[slug]
        fields: dict[str, object] = {**showcase, "image": _poster(*showcase["image"])}
        if slug == "forum-entreprendre-autrement":
            # Registrations opened ten days ago and close the evening before.
            fields["registration_opens_at"] = min(
                event.starts_at, datetime.combine(today - timedelta(days=10), time(9), PARIS))
            fields["registration_closes_at"] = event.starts_at - timedelta(hours=22)
        Event.objects.filter(pk=event.pk).update(**fields)
    log(f"campagne « {campaign.title} » : {len(EVENTS)} événements, dont {len(SHOWCASE)} avec image")
    decisions = _history(events, moderators=moderators, today=today)
    log(f"{decisions} décisions de modération dans l'historique")

    # A monthly café métiers on the first Thursday, from the coming one on.
    organizer, co_organizers = organizations["grands-ensemble"], [organizations["apes"]]
    first_day = today + timedelta(days=(3 - today.weekday()) % 7)
    first = datetime.combine(first_day, time(18, 30), PARIS)
    rule = "FREQ=MONTHLY;BYDAY=1TH;COUNT=6"
    dates = recurrence_dates(rrule=rule, starts_at=first, time_zone="Europe/Paris")
    series, _ = Series.objects.update_or_create(
        title="Café métiers de l'ESS", organization=organizer,
        defaults={"rrule": rule, "starts_at": dates[0], "duration": timedelta(hours=2),
                  "time_zone": "Europe/Paris"})
    cafe_poster = _poster("#2b5797", "#5b86c5", "#f2a65a")
    for n, date_starts_at in enumerate(dates, start=1):
        _save_event(
            f"cafe-metiers-ess-{n}", lead=organizer, co=co_organizers, themes=[themes["emploi"]],
            title="Café métiers de l'ESS", format="cafe_metiers", status=EventStatus.PUBLISHED,
            description="Un métier de l'ESS raconté par celles et ceux qui l'exercent, autour d'un café.",
            starts_at=date_starts_at, ends_at=date_starts_at + timedelta(hours=2), capacity=16,
            series=series, recurrence_id=date_starts_at, image=cafe_poster,
            image_alt="Affiche du café métiers : rayures bleues et un soleil orange", audience="Tout public",
            price_text="Gratuit", **_venue("atelier-grands-ensemble/salle-cooperation", rooms),
        )
    log(f"série « {series.title} » : {len(dates)} dates")

    waiting = _co_organizations(list(Event.objects.filter(
        slug__in=[*events, *(f"cafe-metiers-ess-{n}" for n in range(1, len(dates) + 1))])
        .prefetch_related("co_organizers")), today=today)
    log(f"{CoOrganization.objects.filter(status=CoOrganizationStatus.ACCEPTED).count()} co-organisations "
        f"acceptées, {waiting} demande(s) en attente")

    members = list(Person.objects.filter(email__in=["membre@essaim.demo", "member@essaim.demo"]))
    _register(events["forum-entreprendre-autrement"], 25, people=members)
    _register(events["reparer-son-velo"], 15)
    _register(events["cafe-metiers-scop"], 9)
    _register(Event.objects.get(slug="cafe-metiers-ess-1"), 6, people=members[:1])
    entered = _attendance_taken(organizations["apes"], today=today, members=members)
    log(f"{Registration.objects.filter(email__endswith='.demo').count()} inscriptions, dont "
        f"{Registration.objects.filter(status='waitlisted').count()} en liste d'attente ; "
        f"{entered} entrée(s) pointée(s) à la porte")

    previous = _previous_edition(campaign, organizations=organizations, themes=themes, moderators=moderators,
                                 today=today)
    log(f"édition précédente « {previous.title} » : {previous.events.count()} événements, "
        f"{Registration.objects.filter(event__campaign=previous).count()} inscriptions")


def _attendance_taken(apes: Organization, *, today: date, members: Sequence[Person]) -> int:
    """Last week's members' evening at APES: its organizer wrote to the registrants two days
    before, and the door checked in most of them (every fourth one stayed home)."""
    starts_at = datetime.combine(today - timedelta(days=6), time(18, 30), PARIS)
    event = _save_event(
        "soiree-adherents-apes", lead=apes, co=[], themes=list(Theme.objects.filter(slug="cooperation")),
        title="Soirée des adhérent·es de l'APES", format="rencontres", status=EventStatus.PUBLISHED,
        description="Les nouvelles du réseau, les projets de l'année et un verre ensemble.",
        audience="Adhérent·es et sympathisant·es", price_text="Gratuit", campaign=None,
        moderation=Moderation.NONE, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
        time_zone="Europe/Paris", capacity=24, **_venue("lille-gare", {}),
    )
    _register(event, 20, people=members[:1])
    organizer = Person.objects.filter(email="organisation@apes.demo").first()
    EventMessage.objects.update_or_create(event=event, key="demo-ordre-du-jour", defaults={
        "audience": Audience.CONFIRMED, "subject": "Ordre du jour de jeudi", "sent_by": organizer,
        "body": "Bonjour à toutes et tous, nous commencerons par le bilan de l'année. À jeudi !",
        "recipients": event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()})
    EventMessage.objects.filter(event=event).update(created_at=starts_at - timedelta(days=2))
    entered = 0
    for rank, registration in enumerate(event.registrations.filter(
            status=RegistrationStatus.CONFIRMED).order_by("email")):
        registration.created_at = starts_at - timedelta(days=20 - rank % 15, hours=rank % 9, minutes=rank)
        came = rank % 4 != 3
        registration.checked_in_at = starts_at + timedelta(minutes=rank % 25 - 10) if came else None
        registration.checked_in_by = organizer if came else None
        registration.save(update_fields=["created_at", "checked_in_at", "checked_in_by"])
        entered += came
    return entered


# The previous edition: (title, format, themes) crossed with leads, co-organizers and places.
# Kaléide, ANIS, Lilas Autopartage and the SCOP Baraka were not there yet: the coming
# campaign counts them as taking part for the first time.
PREVIOUS_TOPICS = [
    ("Café métiers de l'insertion", "cafe_metiers", ["insertion", "emploi"]),
    ("Forum des initiatives solidaires", "forum", ["cooperation", "emploi"]),
    ("Atelier : créer une association employeuse", "atelier", ["emploi"]),
    ("Conférence-débat : la finance solidaire", "conference", ["finance-solidaire"]),
    ("Visite d'une recyclerie", "visite", ["economie-circulaire", "environnement"]),
    ("Rencontres des tiers-lieux", "rencontres", ["cooperation", "numerique"]),
    ("Formation : gouvernance partagée", "formation", ["cooperation"]),
    ("Projection-débat : l'ESS à l'écran", "projection", ["culture"]),
    ("Atelier cuisine anti-gaspi", "atelier", ["alimentation", "economie-circulaire"]),
    ("Café citoyen : la jeunesse s'engage", "cafe_metiers", ["jeunesse"]),
    ("Visite d'une épicerie solidaire", "visite", ["alimentation", "insertion"]),
    ("Conférence : se soigner solidairement", "conference", ["sante"]),
]
PREVIOUS_LEADS = {
    "59": ["apes", "mutualab", "grands-ensemble", "mel", "ville-roubaix", "upc-roubaix", "cress-hdf"],
    "62": ["cress-hdf"], "80": ["cress-hdf", "apes"], "72": ["ceas-72", "le-mans-metropole", "cress-pdl"],
}
PREVIOUS_PARTNERS = {"59": ["apes", "mel", "cress-hdf", "mutualab"], "62": ["apes"], "80": ["mel"],
                     "72": ["cress-pdl", "ceas-72", "le-mans-metropole"]}
PREVIOUS_EVENTS = 36


def _previous_edition(campaign: Campaign, *, organizations: dict[str, Organization], themes: dict[str, Theme],
                      moderators: dict[str, Person | None], today: date) -> Campaign:
    """Last November's Mois de l'ESS, over: 36 events across the two regions, most approved
    (a few refused, cancelled or left as drafts), half of them co-organized, registrations up to
    their capacity and, at two events in three, the door's count of who came."""
    year = campaign.starts_on.year - 1
    previous, _ = Campaign.objects.update_or_create(slug=f"mois-ess-{year}", defaults={
        "title": f"Mois de l'ESS {year}", "label": f"Mois de l'ESS {year}",
        "description": "L'édition précédente du Mois de l'ESS, en Hauts-de-France et en Sarthe.",
        "starts_on": date(year, 11, 1), "ends_on": date(year, 11, 30),
        "submissions_open_on": date(year, 9, 1), "submissions_close_on": date(year, 11, 20),
        "moderation_required": True})
    previous.coordinators.set(campaign.coordinators.all())
    Campaign.objects.filter(pk=campaign.pk).update(previous_edition=previous)
    places = list(PLACES)
    events = []
    for n in range(PREVIOUS_EVENTS):
        title, fmt, theme_slugs = PREVIOUS_TOPICS[n % len(PREVIOUS_TOPICS)]
        place = places[(n * 5) % len(places)]
        department = PLACES[place][3]
        leads, partners = PREVIOUS_LEADS[department], PREVIOUS_PARTNERS[department]
        lead = leads[n % len(leads)]
        co = [p for p in partners[n % 3:n % 3 + 1 + n % 2] if p != lead] if n % 2 == 0 else []
        moderation, status = APPROVED, EventStatus.PUBLISHED
        if n in (7, 22):
            moderation = REJECTED
        elif n == 15:
            status = EventStatus.CANCELLED
        elif n == 30:
            moderation, status = PENDING, EventStatus.DRAFT
        day = 2 + (n * 13) % 28
        starts_at = datetime.combine(date(year, 11, day), time(9 + (n * 3) % 11), PARIS)
        commune = commune_from_address(PLACES[place][0])
        region = REGIONS[department]
        events.append(_save_event(
            f"mois-ess-{year}-{n + 1}", lead=organizations[lead], co=[organizations[c] for c in co],
            themes=[themes[t] for t in theme_slugs], title=f"{title} à {commune}", format=fmt,
            description=f"{title}. Une rencontre du Mois de l'ESS {year}.", audience="Tout public",
            price_text="Gratuit", status=status, campaign=previous, moderation=moderation,
            moderated_by=moderators.get(region) if moderation != PENDING else None,
            moderated_at=(datetime.combine(date(year, 10, 20), time(10), PARIS)
                          if moderation != PENDING else None),
            moderation_comment=REJECT_COMMENT if moderation == REJECTED else "",
            cancel_reason=CANCEL_REASON if status == EventStatus.CANCELLED else "",
            cancelled_at=starts_at - timedelta(days=3) if status == EventStatus.CANCELLED else None,
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=2 + n % 3), time_zone="Europe/Paris",
            capacity=None if n % 6 == 5 else 15 + (n * 7) % 50, **_venue(place, {})))
    saved = Event.objects.filter(pk__in=[e.pk for e in events]).prefetch_related("co_organizers")
    _co_organizations(list(saved), today=today)
    for n, event in enumerate(events):
        if event.status == EventStatus.PUBLISHED and event.moderation == APPROVED:
            _previous_registrations(event, n)
    return previous


def _previous_registrations(event: Event, n: int) -> None:
    """Numbered guests filling the event from a third to beyond its capacity (the rest
    waitlisted); at two events in three, three in four came and were checked in."""
    if event.registrations.exists():
        return
    wanted = 4 + (n * 11) % 40 if event.capacity is None else event.capacity * (4 + n % 8) // 9
    door_counted = n % 3 != 1
    rows = []
    for rank in range(wanted):
        waitlisted = event.capacity is not None and rank >= event.capacity
        rows.append(Registration(
            event=event, name=f"Participant·e {rank + 1}", email=f"participant{rank + 1}@essaim.demo",
            status=RegistrationStatus.WAITLISTED if waitlisted else RegistrationStatus.CONFIRMED,
            position=rank - event.capacity + 1 if waitlisted else None,  # type: ignore[operator]
            checked_in_at=(event.starts_at + timedelta(minutes=rank % 20)
                           if door_counted and not waitlisted and rank % 4 != 3 else None)))
    Registration.objects.bulk_create(rows)
