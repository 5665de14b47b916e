"""Demo ch'tipass: five Lille-area spaces, two plans, 80 members who joined over the last
year with their visits and check-ins, one closed month, today's arrivals and a refusal at the
relay, and a kiosk token for Mutualab (printed, since only its hash is stored) beside a revoked
kiosk. The network's coworking flows are computed with the observatory's other snapshots, at
the end of ``load_demo`` (``observatory/demo.py``).

Past visits are written as rows (in bulk): the check-in service judges the present
moment (open now, already checked in now), so it cannot replay last month.
The generator keeps to the plans' allowance and cap and to the opening hours; members
go more often to the spaces next to theirs, less often on Mondays and Fridays, and stay
a morning, an afternoon or the day.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from network.demo import DEMO_PASSWORD
from network.models import Membership, Organization, Person, Role
from passes import services
from passes.models import (
    Channel,
    CheckIn,
    CheckinAttempt,
    Kiosk,
    Pass,
    PassNetwork,
    Period,
    Plan,
    PlanKind,
    SettlementMonth,
    Visit,
)
from spaces.models import Space

SPACE_SLUGS = ["mutualab", "maison-economie-solidaire", "atelier-grands-ensemble", "fabrique-roubaix",
               "relais-roncq"]
PLANS = [
    # slug, name, price, period, allowance, validity days, cap per space
    ("decouverte", "Pass découverte", Decimal("60.00"), Period.MONTH, 5, 365, 2),
    ("nomade", "Pass nomade", Decimal("150.00"), Period.ROLLING_30, 12, 365, None),
]
# Sold or offered at the desk to someone without a pass: slug, name, price, kind.
ONE_DAY_PLANS = [
    ("journee", "Journée sur place", Decimal("15.00"), PlanKind.DAY),
    ("essai", "Journée d'essai", Decimal("0.00"), PlanKind.TRIAL),
]
# Welcomed yesterday at the relay open around the clock: name, email, plan.
WALK_INS = [("Maxime Fournier", "", "journee"), ("Aïcha Diallo", "aicha.diallo@exemple.fr", "essai")]
FIRST_NAMES = ["Léa", "Hugo", "Chloé", "Nassim", "Inès", "Louis", "Camille", "Yanis", "Manon", "Théo",
               "Sarah", "Mehdi", "Julie", "Lucas", "Amina", "Antoine", "Zoé", "Karim", "Emma", "Bastien"]
LAST_NAMES = ["Lefebvre", "Dubois", "Mercier", "Benali", "Vandamme", "Dupont", "Carpentier", "Hennebert"]
MEMBERS = 80
# Members joined over these months before today's (the demo's year of flows).
JOINED_MONTHS_AGO = range(11, 2, -1)
# Members of other spaces who came to the relay today (the first one has left).
ARRIVALS_TODAY = 4
OLD_KIOSK = "Ancienne tablette (révoquée)"


def load(*, today: date, log: Callable[[str], None]) -> None:
    spaces = {s.slug: s for s in Space.objects.filter(slug__in=SPACE_SLUGS)
              .prefetch_related("opening_hours", "closures")}
    network, _ = PassNetwork.objects.update_or_create(
        slug="chtipass",
        defaults={"name": "ch'tipass", "coordinator": Organization.objects.get(slug="mutualab"),
                  "description": "Le pass des tiers-lieux de la métropole lilloise : un·e membre "
                                 "d'un espace travaille dans les autres."},
    )
    network.spaces.set(spaces.values())
    plans = {}
    for slug, name, price, period, allowance, validity, cap in PLANS:
        plans[slug], _ = Plan.objects.update_or_create(
            network=network, slug=slug,
            defaults={"name": name, "price": price, "period": period, "allowance": allowance,
                      "validity_days": validity, "per_space_cap": cap},
        )
    for slug, name, price, kind in ONE_DAY_PLANS:
        plans[slug] = Plan.objects.filter(network=network, slug=slug).first() or services.plan_create(
            network=network, kind=kind, name=name, slug=slug, price=price, period=Period.MONTH,
            allowance=1, validity_days=1)
    # Hashed once for every demo member: hashing is slow on purpose.
    password_hash = make_password(DEMO_PASSWORD)
    _desk_accounts(spaces, password_hash)

    holders = []
    for n in range(1, MEMBERS + 1):
        person = _member(f"membre{n:02d}@chtipass.demo",
                         f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]}",
                         password_hash)
        plan = plans["decouverte" if n % 3 else "nomade"]
        joined = _month_start(today, -JOINED_MONTHS_AGO[n * 7 % len(JOINED_MONTHS_AGO)])
        holders.append(_pass(person, plan, spaces[SPACE_SLUGS[n % len(SPACE_SLUGS)]], joined))
    demo_member = Person.objects.get(email="membre@essaim.demo")
    holders.append(_pass(demo_member, plans["nomade"], spaces["mutualab"], today - timedelta(days=30)))

    visits = _visits(holders, spaces, today)

    _walk_ins(plans, spaces["relais-roncq"], today)
    relay = spaces["relais-roncq"]
    # Rolling-period holders first: a calendar month's allowance may be used up by the end of it.
    arrivals = _today_at(relay, sorted((p for p in holders if p.issuing_space_id != relay.id),
                                       key=lambda p: p.plan.period != Period.ROLLING_30))

    closed_month = _month_start(today, -2)
    if not SettlementMonth.objects.filter(network=network, month=closed_month).exists():
        services.settlement_month_close(network=network, month=closed_month, by=None)

    kiosk = Kiosk.objects.filter(space=spaces["mutualab"], name="Borne d'accueil").first()
    if kiosk is None:
        kiosk, token = services.kiosk_create(space=spaces["mutualab"], name="Borne d'accueil")
    else:
        token = services.kiosk_rotate_token(kiosk=kiosk)
    if not Kiosk.objects.filter(space=spaces["mutualab"], name=OLD_KIOSK).exists():
        services.kiosk_revoke(kiosk=services.kiosk_create(space=spaces["mutualab"], name=OLD_KIOSK)[0])
    log(f"ch'tipass : {len(spaces)} espaces, {len(plans)} forfaits, {len(holders)} pass, "
        f"{visits} passages, mois clôturé {closed_month:%Y-%m}, {arrivals} arrivées aujourd'hui "
        f"au Relais de Roncq")
    log(f"borne de Mutualab : Authorization: Kiosk {token}")
    log(f"flux du réseau : /reseaux/{network.slug}/flux/ (calculés avec l'observatoire)")


def _month_start(today: date, offset: int) -> date:
    month = today.year * 12 + today.month - 1 + offset
    return date(month // 12, month % 12 + 1, 1)


def _member(email: str, full_name: str, password_hash: str) -> Person:
    person, _ = Person.objects.update_or_create(
        email=email, defaults={"full_name": full_name, "password": password_hash})
    return person


def _desk_accounts(spaces: dict[str, Space], password_hash: str) -> None:
    """A front-desk account for each space (Mutualab's comes with the network demo)."""
    for slug, space in spaces.items():
        if slug == "mutualab":
            continue
        person = _member(f"accueil@{slug}.demo", f"Accueil {space.name}", password_hash)
        Membership.objects.get_or_create(person=person, organization=space.operator,
                                         role=Role.SPACE_MANAGER)


def _walk_ins(plans: dict[str, Plan], space: Space, today: date) -> None:
    """Yesterday's walk-in and trial day at ``space``, given again on every load (so that they
    stay yesterday's): the previous ones are removed first."""
    guests = Pass.objects.filter(plan__in=[plans[slug] for slug, *_ in ONE_DAY_PLANS])
    CheckIn.objects.filter(pass_obj__in=guests).delete()
    Visit.objects.filter(pass_obj__in=guests).delete()
    guests.delete()
    desk = Person.objects.get(email=f"accueil@{space.slug}.demo")
    arrival = datetime.combine(today - timedelta(days=1), time(10), tzinfo=space.zone)
    for name, email, slug in WALK_INS:
        _day_pass, checkin = services.walk_in(plan=plans[slug], space=space, person=desk, name=name,
                                              email=email, now=arrival)
        services.checkin_checkout(checkin=checkin, now=arrival + timedelta(hours=7))


def _today_at(space: Space, passes: list[Pass]) -> int:
    """Today's arrivals at ``space``, spread over the last three hours (since midnight at the most),
    through the desk's check-in
    service; then yesterday's walk-in comes back with their day pass, which the rules refuse (it
    was valid yesterday only): the desk's day shows arrivals, a departure and a refusal. Redone on
    every load, after removing what the previous load made today."""
    now = timezone.now()
    start = datetime.combine(space.local_date(now), time.min, tzinfo=space.zone)
    mine = CheckIn.objects.filter(space=space, checked_in_at__gte=start, pass_obj__in=passes)
    visits = list(mine.values_list("visit_id", flat=True))
    mine.delete()
    Visit.objects.filter(pk__in=visits, checkins__isnull=True).delete()
    CheckinAttempt.objects.filter(space=space, at__gte=start).delete()
    desk = Person.objects.get(email=f"accueil@{space.slug}.demo")
    actor = services.Actor(person=desk)
    since = max(start, now - timedelta(hours=3))
    elapsed = now - since
    arrived = []
    for n, pass_obj in enumerate(passes[:ARRIVALS_TODAY]):
        try:
            checkin, _created = services.checkin_attempt(
                code=pass_obj.code, space=space.slug, actor=actor, now=since + elapsed * (n + 1) / 8)
        except services.CheckinRefused:  # its allowance used up this period: logged as refused
            continue
        arrived.append(checkin)
    if arrived:
        services.checkin_checkout(checkin=arrived[0], now=since + elapsed * 6 / 8)
    walk_in = Pass.objects.filter(plan__kind=PlanKind.DAY, guest_name=WALK_INS[0][0]).first()
    if walk_in is not None:
        with contextlib.suppress(services.PassExpired):
            services.checkin_attempt(code=walk_in.short_code, space=space.slug, actor=actor,
                                     now=since + elapsed * 7 / 8)
    return len(arrived)


def _pass(holder: Person, plan: Plan, issuing_space: Space, valid_from: date) -> Pass:
    # Dates refreshed on every load, codes kept: a member's printed QR code keeps working.
    pass_obj, _ = Pass.objects.update_or_create(
        holder=holder, plan=plan,
        defaults={"issuing_space": issuing_space, "valid_from": valid_from,
                  "valid_until": valid_from + timedelta(days=plan.validity_days - 1)},
    )
    return pass_obj


def _visits(passes: list[Pass], spaces: dict[str, Space], today: date) -> int:
    """Visit-days with their check-in on past open days, within each plan's allowance and cap,
    the same on every run; only the missing ones are written. Returns how many were written."""
    planned = [visit for pass_obj in passes for visit in _planned_visits(pass_obj, spaces, today)]
    existing = set(Visit.objects.filter(pass_obj__in=passes).values_list("pass_obj_id", "space_id", "day"))
    missing = [(visit, stay) for visit, stay in planned
               if (visit.pass_obj_id, visit.space_id, visit.day) not in existing]
    created = Visit.objects.bulk_create([visit for visit, _stay in missing])
    CheckIn.objects.bulk_create(
        CheckIn(visit=visit, pass_obj_id=visit.pass_obj_id, space_id=visit.space_id, channel=Channel.DESK,
                checked_in_at=arrival, checked_out_at=departure)
        for visit, (_same, (arrival, departure)) in zip(created, missing, strict=True))
    return len(created)


def _planned_visits(pass_obj: Pass, spaces: dict[str, Space], today: date
                    ) -> list[tuple[Visit, tuple[datetime, datetime]]]:
    """The visit-days of ``pass_obj`` from its first day to yesterday, each with its stay."""
    plan, holder = pass_obj.plan, pass_obj.holder
    assert plan.allowance is not None and holder is not None, "the demo's passes are limited and held"
    # Half the allowance per calendar month keeps any 30-day window within a rolling allowance.
    per_month = plan.allowance if plan.period == Period.MONTH else plan.allowance // 2
    home = SPACE_SLUGS.index(pass_obj.issuing_space.slug)
    # Members go more often to the spaces next to theirs.
    weights = [6 if i == home else 3 if abs(i - home) == 1 else 1 for i in range(len(SPACE_SLUGS))]
    planned = []
    month = pass_obj.valid_from.replace(day=1)
    while month < today:
        rng = random.Random(f"{holder.email}-{month:%Y-%m}")
        days = [month + timedelta(days=i) for i in range(31)]
        days = [d for d in days if d.month == month.month and pass_obj.valid_from <= d
                and (d.weekday() not in (0, 4) or rng.random() < 0.6)]
        # Drawn over the whole month, then kept until yesterday: today's month is only begun.
        chosen = [d for d in rng.sample(days, min(len(days), rng.randint(1, per_month))) if d < today]
        per_space: dict[int, int] = {}
        for day in sorted(chosen):
            # The instances of ``spaces`` carry their prefetched opening hours.
            space = spaces[rng.choices(SPACE_SLUGS, weights)[0]]
            if plan.per_space_cap and space != pass_obj.issuing_space and \
                    per_space.get(space.id, 0) >= plan.per_space_cap:
                continue
            stay = _stay(space, day, rng)
            if stay is None:
                continue
            per_space[space.id] = per_space.get(space.id, 0) + 1
            planned.append((Visit(pass_obj=pass_obj, space=space, day=day, value=plan.visit_value()), stay))
        month = _month_start(month, 1)
    return planned


def _stay(space: Space, day: date, rng: random.Random) -> tuple[datetime, datetime] | None:
    """A morning, an afternoon or a day at ``space`` on ``day`` within its opening hours (and
    office hours, at the relay open around the clock); None when it is closed."""
    opening = space.opening_range_at(datetime.combine(day, time(11), space.zone))
    if opening is None:
        return None
    opens = max(opening[0], datetime.combine(day, time(8), space.zone))
    closes = min(opening[1], datetime.combine(day, time(19, 30), space.zone))
    kind = rng.random()
    if kind < 0.25:  # a morning
        arrival = opens + timedelta(minutes=rng.randint(0, 90))
        departure = datetime.combine(day, time(12, 30), space.zone) + timedelta(minutes=rng.randint(0, 30))
    elif kind < 0.45:  # an afternoon
        arrival = datetime.combine(day, time(13, 30), space.zone) + timedelta(minutes=rng.randint(0, 45))
        departure = closes - timedelta(minutes=rng.randint(0, 120))
    else:
        arrival = opens + timedelta(minutes=rng.randint(0, 120))
        departure = closes - timedelta(minutes=rng.randint(0, 150))
    return (arrival, departure) if arrival < departure else None
