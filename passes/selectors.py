"""Read-side queries of the coworking pass: codes, allowance, visibility, settlement."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Aggregate, Case, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from backend.codes import is_short_code, normalize_short_code
from network.models import Person, Role
from network.selectors import organization_ids_for
from passes.models import (
    CheckIn,
    CheckinAttempt,
    Kiosk,
    Pass,
    PassNetwork,
    PassStatus,
    Period,
    Plan,
    PlanKind,
    SettlementLine,
    SettlementMonth,
    Visit,
    hash_token,
)
from spaces.models import Space
from spaces.selectors import space_ids_managed_by

LONG_CODE = re.compile(r"^[A-Za-z0-9_-]{32}$")

# Unknown codes a kiosk may send within the window before it is slowed down.
KIOSK_UNKNOWN_LIMIT = 10
KIOSK_UNKNOWN_WINDOW = timedelta(minutes=5)


# --- Codes --------------------------------------------------------------------


def is_well_formed_code(code: str) -> bool:
    return bool(LONG_CODE.match(code) or is_short_code(code))


def passes_by_code(code: str) -> QuerySet[Pass]:
    if LONG_CODE.match(code):
        return Pass.objects.filter(code=code)
    return Pass.objects.filter(short_code=normalize_short_code(code))


def kiosk_for_token(token: str) -> Kiosk | None:
    """The kiosk holding ``token`` unless revoked."""
    return Kiosk.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True).first()


def _last_unknown_codes(kiosk, now: datetime) -> QuerySet[CheckinAttempt]:
    return CheckinAttempt.objects.filter(kiosk=kiosk, outcome="unknown_pass",
                                         at__gt=now - KIOSK_UNKNOWN_WINDOW).order_by("-at")


def kiosk_retry_after(*, kiosk: Kiosk, now: datetime) -> int | None:
    """Seconds a kiosk must wait after too many unknown codes, or None when it may go on.

    Counted from the attempt log, so it holds across web processes without a cache.
    """
    recent = list(_last_unknown_codes(kiosk, now).values_list("at", flat=True)[:KIOSK_UNKNOWN_LIMIT])
    oldest = recent[-1] if len(recent) == KIOSK_UNKNOWN_LIMIT else None
    # Free again when the oldest of the last LIMIT unknown codes leaves the window.
    if oldest is None or oldest + KIOSK_UNKNOWN_WINDOW <= now:
        return None
    return max(1, int((oldest + KIOSK_UNKNOWN_WINDOW - now).total_seconds()) + 1)


# --- Plans and allowance ------------------------------------------------------


def plan_spaces(plan: Plan) -> QuerySet[Space]:
    """The spaces of the plan's network and, when the plan names eligible spaces, only those."""
    eligible = Plan.eligible_spaces.through.objects.filter(plan_id=plan.pk)
    return (Space.objects.filter(pass_networks=plan.network_id)
            .filter(~Exists(eligible) | Exists(eligible.filter(space_id=OuterRef("pk")))))


def covered_spaces(pass_obj: Pass) -> QuerySet[Space]:
    """The spaces ``pass_obj`` gives access to: a walk-in day only the space that sold it;
    otherwise :func:`plan_spaces`."""
    if pass_obj.plan.kind == PlanKind.DAY:
        return Space.objects.filter(pk=pass_obj.issuing_space_id)
    return plan_spaces(pass_obj.plan)


def plan_in_use(plan: Plan) -> bool:
    """Whether a pass of ``plan`` exists: from then on its counting terms are frozen."""
    return Pass.objects.filter(plan=plan).exists()


def plans_of(network: PassNetwork) -> QuerySet[Plan]:
    """The network's plans, subscriptions first, with ``pass_count`` and their eligible spaces."""
    subscriptions_first = Case(When(kind=PlanKind.SUBSCRIPTION, then=0), default=1)
    return (Plan.objects.filter(network=network).annotate(pass_count=Count("passes"))
            .prefetch_related("eligible_spaces").order_by(subscriptions_first, "price", "name"))


def pass_covers(pass_obj: Pass, space: Space) -> bool:
    """Whether ``space`` is among :func:`covered_spaces` of ``pass_obj`` (one query)."""
    return covered_spaces(pass_obj).filter(pk=space.pk).exists()


@dataclass(frozen=True)
class PassOutlook:
    """What a member reads about their pass beside what is left: where it works, the visits
    left at each capped space this period, and when used visit-days come back."""

    spaces: list[tuple[Space, int | None]]  # each covered space and its cap left (None: no cap)
    coming_back: list[tuple[date, int]]  # (day, visit-days back that day), soonest first


def pass_outlook(pass_obj: Pass, *, day: date) -> PassOutlook:
    """:class:`PassOutlook` of ``pass_obj`` on ``day`` (the issuing space's date). Visit-days of
    a calendar month all come back on the 1st; of a rolling period, each 30 days after it."""
    plan = pass_obj.plan
    bounds = period_bounds(plan, day)
    used: dict[int, int] = defaultdict(int)
    returns: dict[date, int] = defaultdict(int)
    if bounds is not None:
        for space_id, visit_day in Visit.objects.filter(pass_obj=pass_obj, day__range=bounds) \
                .values_list("space_id", "day"):
            used[space_id] += 1
            back = bounds[1] + timedelta(days=1) if plan.period == Period.MONTH \
                else visit_day + timedelta(days=30)
            returns[back] += 1
    cap = plan.per_space_cap if bounds is not None else None
    spaces = [(space, max(0, cap - used[space.id])
               if cap is not None and space.id != pass_obj.issuing_space_id else None)
              for space in covered_spaces(pass_obj).order_by("name")]
    return PassOutlook(spaces=spaces, coming_back=sorted(returns.items()))


@dataclass(frozen=True)
class PassVisits:
    """A pass's visit-days as a check-in at a space on a day reads them."""

    today_id: int | None  # its visit-day at that space that day
    used: int  # visit-days in the period (0 when unlimited)
    used_here: int  # of which at that space


def pass_visits(pass_obj: Pass, *, space: Space, day: date, bounds: tuple[date, date] | None
                ) -> PassVisits:
    """:class:`PassVisits` of ``pass_obj`` at ``space`` on ``day`` within the period ``bounds``
    (both ends included; None when unlimited), in one query."""
    aggregates: dict[str, Aggregate] = {"today_id": Max("id", filter=Q(space=space, day=day))}
    if bounds is not None:
        aggregates["used"] = Count("id", filter=Q(day__range=bounds))
        aggregates["used_here"] = Count("id", filter=Q(day__range=bounds, space=space))
    counts = Visit.objects.filter(pass_obj=pass_obj).aggregate(**aggregates)
    return PassVisits(counts["today_id"], counts.get("used", 0), counts.get("used_here", 0))


def passes_sold_at(space: Space, *, query: str = "", status: str = "") -> QuerySet[Pass]:
    """The passes ``space`` sold, newest first, with what a list shows of each, optionally those
    whose holder's (or guest's, or invited) name or email contains ``query``, or whose short
    code is ``query``; ``status``, the stored one (the beat marks passes expired each day)."""
    passes = (Pass.objects.filter(issuing_space=space)
              .select_related("holder", "plan__network", "issuing_space", "invitation")
              .order_by("-created_at", "-id"))
    query = query.strip()
    if query:
        passes = passes.filter(
            Q(holder__full_name__icontains=query) | Q(holder__email__icontains=query)
            | Q(guest_name__icontains=query) | Q(guest_email__icontains=query)
            | Q(invitation__email__icontains=query) | Q(short_code=normalize_short_code(query)))
    return passes.filter(status=status) if status else passes


DESK_SEARCH_MIN = 2
DESK_SEARCH_SHOWN = 20


def passes_at_desk(space: Space, *, query: str) -> list[Pass]:
    """The passes whose holder (or guest) is called ``query`` or has it in their address, and
    that may be used at ``space`` (its networks' passes, within their plan's spaces; a walk-in
    day only where it was sold), each with ``state`` and ``remaining_allowance``: what the desk
    reads before checking in a member who forgot their phone. At most
    :data:`DESK_SEARCH_SHOWN`, nothing for fewer than :data:`DESK_SEARCH_MIN` characters."""
    query = query.strip()
    if len(query) < DESK_SEARCH_MIN:
        return []
    eligible = Plan.eligible_spaces.through.objects.filter(plan_id=OuterRef("plan_id"))
    passes = list(
        Pass.objects.filter(plan__network__spaces=space)
        .filter(~Exists(eligible) | Exists(eligible.filter(space_id=space.id)))
        .exclude(Q(plan__kind=PlanKind.DAY) & ~Q(issuing_space=space))
        .filter(Q(holder__full_name__icontains=query) | Q(holder__email__icontains=query)
                | Q(guest_name__icontains=query) | Q(guest_email__icontains=query))
        .select_related("holder", "plan__network", "issuing_space")
        .order_by("holder__full_name", "guest_name", "-valid_until", "id")[:DESK_SEARCH_SHOWN])
    now = timezone.now()
    remaining = remaining_allowances(passes, now=now)
    day = space.local_date(now)
    for pass_obj in passes:
        pass_obj.state = pass_state(pass_obj, day)
        pass_obj.remaining_allowance = remaining[pass_obj.id]
    return passes


@dataclass(frozen=True)
class DeskDay:
    """A space's day as its desk reads it: who came and left (``checkins``, arrival order,
    including who was still there from the day before) and the refusals (latest first)."""

    day: date
    checkins: list[CheckIn]
    refusals: list[CheckinAttempt]


def desk_day(space: Space, *, day: date) -> DeskDay:
    """:class:`DeskDay` of ``space`` on its local date ``day``, in two queries."""
    start = datetime.combine(day, time.min, tzinfo=space.zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=space.zone)
    checkins = list(
        CheckIn.objects.filter(space=space)
        .filter(Q(checked_in_at__gte=start, checked_in_at__lt=end)
                | Q(checked_in_at__lt=start, checked_out_at__isnull=True)
                | Q(checked_in_at__lt=start, checked_out_at__gte=start))
        .select_related("pass_obj__holder", "pass_obj__plan", "checked_in_by", "kiosk")
        .order_by("checked_in_at", "id"))
    refusals = list(
        CheckinAttempt.objects.filter(space=space, at__gte=start, at__lt=end)
        .select_related("pass_obj__holder", "person", "kiosk").order_by("-at", "-id"))
    return DeskDay(day=day, checkins=checkins, refusals=refusals)


def subscription_plans(space: Space) -> QuerySet[Plan]:
    """The plans on sale at ``space`` to members (not walk-in or trial days)."""
    return (Plan.objects.filter(network__spaces=space, is_active=True, kind=PlanKind.SUBSCRIPTION)
            .select_related("network").order_by("network__name", "price", "name"))


def one_day_plans(space: Space) -> QuerySet[Plan]:
    """The walk-in and trial days on sale at ``space`` (plans of its networks)."""
    return (Plan.objects.filter(network__spaces=space, is_active=True,
                                kind__in=[PlanKind.DAY, PlanKind.TRIAL])
            .select_related("network").order_by("kind", "price", "name"))


def desks_taken(space: Space, *, at_most: int) -> int:
    """Open check-ins at ``space``, counted up to ``at_most`` (enough to tell whether the space
    is full); the partial index on open check-ins serves the count."""
    return CheckIn.objects.filter(space=space, checked_out_at__isnull=True).order_by()[:at_most].count()


def month_last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def period_bounds(plan: Plan, day: date) -> tuple[date, date] | None:
    """The allowance period containing ``day`` (both ends included); None when unlimited."""
    if plan.period == Period.MONTH:
        return day.replace(day=1), month_last_day(day)
    if plan.period == Period.ROLLING_30:
        return day - timedelta(days=29), day
    return None


def period_allowance(plan: Plan) -> int:
    """The visit-days of each period of a plan that has periods (see :func:`period_bounds`)."""
    assert plan.allowance is not None, "a plan with periods has an allowance (a constraint)"
    return plan.allowance


def remaining_allowance(pass_obj: Pass, *, now: datetime | None = None) -> int | None:
    """Visit-days left in the current period at the issuing space (None for an unlimited plan)."""
    return remaining_allowances([pass_obj], now=now)[pass_obj.id]


def remaining_allowances(passes: list[Pass], *, now: datetime | None = None) -> dict[int, int | None]:
    """:func:`remaining_allowance` for a page of passes, in one query."""
    now = now or timezone.now()
    bounds = {p.id: period_bounds(p.plan, p.issuing_space.local_date(now)) for p in passes}
    limited = {pid: b for pid, b in bounds.items() if b is not None}
    used: dict[int, int] = defaultdict(int)
    if limited:
        earliest = min(b[0] for b in limited.values())
        for pass_id, day in Visit.objects.filter(pass_obj_id__in=limited, day__gte=earliest) \
                .values_list("pass_obj_id", "day"):
            start, end = limited[pass_id]
            used[pass_id] += start <= day <= end
    return {p.id: None if bounds[p.id] is None else max(0, period_allowance(p.plan) - used[p.id])
            for p in passes}


# --- Visibility ---------------------------------------------------------------


def passes_visible_to(person: Person) -> QuerySet[Pass]:
    """The holder sees their passes; the managers of the issuing space see the passes it sold."""
    managed = space_ids_managed_by(person)
    return (
        Pass.objects.filter(Q(holder=person) | Q(issuing_space_id__in=managed))
        .select_related("holder", "plan__network", "issuing_space")
    )


def checkins_visible_to(person: Person | None, kiosk: Kiosk | None = None) -> QuerySet[CheckIn]:
    """Space managers see their spaces' check-ins, members their own, a kiosk who is in its
    space right now (a kiosk stands in a public place: no history of who came when)."""
    queryset = CheckIn.objects.select_related("pass_obj__holder", "space")
    if kiosk is not None:
        return queryset.filter(space_id=kiosk.space_id, checked_out_at__isnull=True)
    if person is None or not person.is_authenticated:
        return queryset.none()
    return queryset.filter(Q(pass_obj__holder=person) | Q(space_id__in=space_ids_managed_by(person)))


def networks_coordinated_by(person: Person) -> QuerySet[PassNetwork]:
    return PassNetwork.objects.filter(coordinator_id__in=organization_ids_for(person, Role.COORDINATOR))


# --- Settlement ---------------------------------------------------------------


@dataclass
class Line:
    issuing_space_id: int
    host_space_id: int
    visit_days: int = 0
    amount: Decimal = Decimal("0.00")
    adjustment_days: int = 0
    adjustment_amount: Decimal = Decimal("0.00")

    @property
    def total_amount(self) -> Decimal:
        return self.amount + self.adjustment_amount


@dataclass
class Statement:
    network: PassNetwork
    month: date
    closed_at: datetime | None
    lines: list[Line] = field(default_factory=list)
    spaces: dict[int, Space] = field(default_factory=dict)


def _network_visits(network: PassNetwork) -> QuerySet[Visit]:
    # A visit at the space that sold the pass is that space's own business.
    return (Visit.objects.filter(pass_obj__plan__network=network)
            .exclude(space_id=F("pass_obj__issuing_space_id")))


def _by_pair(visits: QuerySet[Visit]) -> dict[tuple[int, int], tuple[int, Decimal]]:
    rows = visits.values("pass_obj__issuing_space_id", "space_id").annotate(
        days=Count("id"), total=Sum("value"))
    return {(r["pass_obj__issuing_space_id"], r["space_id"]): (r["days"], r["total"] or Decimal("0"))
            for r in rows}


def settlement_compute(*, network: PassNetwork, month: date) -> Statement:
    """The live statement of an open month: its visit-days per (issuing, host) pair plus,
    as adjustments, whatever changed in closed earlier months since they were frozen."""
    month = month.replace(day=1)
    lines: dict[tuple[int, int], Line] = {}

    def line(pair: tuple[int, int]) -> Line:
        return lines.setdefault(pair, Line(issuing_space_id=pair[0], host_space_id=pair[1]))

    for pair, (days, total) in _by_pair(
        _network_visits(network).filter(day__range=(month, month_last_day(month)))
    ).items():
        line(pair).visit_days, line(pair).amount = days, total

    closed_months = list(SettlementMonth.objects.filter(network=network, month__lt=month)
                         .values_list("month", flat=True))
    if closed_months:
        live = _by_pair(_network_visits(network).annotate(m=TruncMonth("day"))
                        .filter(day__lt=month, m__in=closed_months))
        frozen: dict[tuple[int, int], list] = defaultdict(lambda: [0, Decimal("0")])
        for row in SettlementLine.objects.filter(settlement_month__network=network,
                                                 settlement_month__month__in=closed_months):
            pair = (row.issuing_space_id, row.host_space_id)
            frozen[pair][0] += row.visit_days + row.adjustment_days
            frozen[pair][1] += row.amount + row.adjustment_amount
        for pair in set(live) | set(frozen):
            days, total = live.get(pair, (0, Decimal("0")))
            if (days, total) != (frozen[pair][0], frozen[pair][1]):
                line(pair).adjustment_days = days - frozen[pair][0]
                line(pair).adjustment_amount = total - frozen[pair][1]
    return Statement(network=network, month=month, closed_at=None,
                     lines=sorted(lines.values(), key=lambda x: (x.issuing_space_id, x.host_space_id)))


def settlement_for(*, network: PassNetwork, month: date, space_ids: set[int] | None = None) -> Statement:
    """The statement of ``month``: frozen lines once closed, computed live before.

    ``space_ids`` keeps only the lines where one of those spaces issues or hosts.
    """
    month = month.replace(day=1)
    closed = SettlementMonth.objects.filter(network=network, month=month).first()
    if closed is None:
        statement = settlement_compute(network=network, month=month)
    else:
        statement = Statement(network=network, month=month, closed_at=closed.closed_at, lines=[
            Line(issuing_space_id=row.issuing_space_id, host_space_id=row.host_space_id,
                 visit_days=row.visit_days, amount=row.amount, adjustment_days=row.adjustment_days,
                 adjustment_amount=row.adjustment_amount)
            for row in closed.lines.order_by("issuing_space_id", "host_space_id")
        ])
    if space_ids is not None:
        statement.lines = [x for x in statement.lines
                           if x.issuing_space_id in space_ids or x.host_space_id in space_ids]
    ids = {x.issuing_space_id for x in statement.lines} | {x.host_space_id for x in statement.lines}
    statement.spaces = Space.objects.in_bulk(ids)
    statement.lines.sort(key=lambda x: (statement.spaces[x.issuing_space_id].name,
                                        statement.spaces[x.host_space_id].name))
    return statement


# --- The holder's own page ----------------------------------------------------

NOT_YET_VALID = "not_yet_valid"


def pass_state(pass_obj: Pass, day: date) -> str:
    """What a pass amounts to on ``day``: its status, or ``expired``/``not_yet_valid`` when
    ``day`` is outside its validity (as the check-in rules read it)."""
    if pass_obj.status in (PassStatus.REVOKED, PassStatus.SUSPENDED, PassStatus.EXPIRED):
        return pass_obj.status
    if day < pass_obj.valid_from:
        return NOT_YET_VALID
    if day > pass_obj.valid_until:
        return PassStatus.EXPIRED
    return pass_obj.status


def passes_held_by(person: Person, *, now: datetime | None = None) -> list[Pass]:
    """``person``'s own passes, newest first, each with ``remaining_allowance`` and ``state``
    (see :func:`pass_state`, at the issuing space's date)."""
    now = now or timezone.now()
    passes = list(passes_visible_to(person).filter(holder=person).order_by("-valid_until", "-id"))
    remaining = remaining_allowances(passes, now=now)
    for pass_obj in passes:
        pass_obj.remaining_allowance = remaining[pass_obj.id]
        pass_obj.state = pass_state(pass_obj, pass_obj.issuing_space.local_date(now))
    return passes


def holds_a_pass(person: Person | None) -> bool:
    """Whether ``person`` holds a pass, whatever its state (remembered on the person for the
    request: every page's navigation asks)."""
    if person is None or not person.is_authenticated:
        return False
    if "_essaim_holds_pass" not in person.__dict__:
        person.__dict__["_essaim_holds_pass"] = Pass.objects.filter(holder=person).exists()
    return person.__dict__["_essaim_holds_pass"]


def visits_held_by(person: Person) -> QuerySet[Visit]:
    """The visit-days of ``person``'s passes, most recent first, with the space's name."""
    return (Visit.objects.filter(pass_obj__holder=person)
            .select_related("space", "pass_obj").order_by("-day", "-id"))


# --- Settlement: who pays whom -----------------------------------------------


@dataclass(frozen=True)
class Transfer:
    """One payment that settles part of a month: ``debtor_id`` pays ``amount`` to ``creditor_id``."""

    debtor_id: int
    creditor_id: int
    amount: Decimal


def settlement_balances(lines: list[Line]) -> dict[int, Decimal]:
    """Each space's net position over ``lines``: what it is due as a host minus what it owes
    as the issuer of visiting passes (adjustments included); positive, it receives."""
    balances: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for line in lines:
        balances[line.host_space_id] += line.total_amount
        balances[line.issuing_space_id] -= line.total_amount
    return dict(balances)


def net_transfers(balances: dict[int, Decimal]) -> list[Transfer]:
    """Payments that bring every balance of :func:`settlement_balances` to zero: the largest
    debtor pays the largest creditor, again and again. Each payment clears at least one of
    the two, and the last clears both, so n spaces out of balance need at most n − 1."""
    owed = {space_id: -b for space_id, b in balances.items() if b < 0}
    due = {space_id: b for space_id, b in balances.items() if b > 0}
    transfers = []
    while owed and due:
        # Ties broken by id: the same month always reads the same way.
        debtor = max(owed, key=lambda s: (owed[s], -s))
        creditor = max(due, key=lambda s: (due[s], -s))
        amount = min(owed[debtor], due[creditor])
        transfers.append(Transfer(debtor_id=debtor, creditor_id=creditor, amount=amount))
        for side, space_id in ((owed, debtor), (due, creditor)):
            side[space_id] -= amount
            if side[space_id] == 0:
                del side[space_id]
    return transfers


def settlement_months(network: PassNetwork, *, today: date) -> list[tuple[date, SettlementMonth | None]]:
    """The months of ``network`` that have a statement, newest first: from the month of its
    first visit-day (or first closed month) to ``today``'s, each with its closing or None."""
    closed = {m.month: m for m in SettlementMonth.objects.filter(network=network)}
    first = Visit.objects.filter(pass_obj__plan__network=network).aggregate(first=Min("day"))["first"]
    start = min([today.replace(day=1), *closed, *([first.replace(day=1)] if first else [])])
    months = []
    month = today.replace(day=1)
    while month >= start:
        months.append((month, closed.get(month)))
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def networks_visible_to(person: Person) -> QuerySet[PassNetwork]:
    """The networks whose settlements ``person`` reads: those they coordinate, and those
    where they manage a member space."""
    return (PassNetwork.objects.filter(
        Q(coordinator_id__in=organization_ids_for(person, Role.COORDINATOR))
        | Q(spaces__in=space_ids_managed_by(person))).distinct().order_by("name"))
