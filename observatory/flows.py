"""Coworking flows of a pass network: where members work, when the spaces are full.

Computed by the worker into a snapshot per network (key: its slug), per month:

- visit-days by issuing space × host space: the settlement's own count
  (``passes.selectors._by_pair`` over ``_network_visits``), so the two always agree — a
  visit at the space that sold the pass is not a flow and is left out, as in the settlement;
- members (holders of a subscription; walk-in and trial days are not members) who came,
  and those who came to two spaces or more;
- members whose first visit-day at a space other than the one that sold their pass falls
  in the month;
- presences by space, weekday and hour, from check-ins, in each space's own time zone: a
  check-in counts once in every hour it overlaps (arrived 9:40, left 11:10: 9 h, 10 h, 11 h).

The snapshot keeps exact counts; what a page, a download or the API shows goes through
:func:`figures`, where counts of people from 1 to 4 become "< 5" (``observatory.disclosure``).
No output names a person: members are counted, never listed.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, DateTimeField, ExpressionWrapper, F, Min, Value, When
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status

from backend.api import DomainError
from backend.months import month_parse
from backend.validators import date_in_range
from network.models import Person
from observatory import charts
from observatory.disclosure import HIDDEN, is_hidden, people_count
from observatory.snapshots import computes
from observatory.tables import Table
from passes.models import CheckIn, PassNetwork, PlanKind, Visit
from passes.selectors import (
    _by_pair,
    _network_visits,
    month_last_day,
    networks_coordinated_by,
    networks_visible_to,
)
from spaces.models import Space

KIND = "flows"
# The range a page shows when none is asked for: the last twelve months.
DEFAULT_MONTHS = 12
# Hours always drawn in the occupancy table, widened to any hour with presences.
DAY_HOURS = range(8, 20)
WEEKDAYS = [gettext_lazy("lundi"), gettext_lazy("mardi"), gettext_lazy("mercredi"), gettext_lazy("jeudi"),
            gettext_lazy("vendredi"), gettext_lazy("samedi"), gettext_lazy("dimanche")]


class BadMonth(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "bad_month"
    message = gettext_lazy("Mois attendu au format AAAA-MM (par exemple 2026-01).")


class UnknownSpace(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "unknown_space"
    message = gettext_lazy("Cet espace n'est pas un espace du réseau.")


class MonthsReversed(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "months_reversed"
    message = gettext_lazy("Le mois de fin doit suivre le mois de début.")


# --- Who reads the flows ------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """What a person may do with a network's flows: read them (everyone who gets one), and
    ask for fresh figures (``is_coordinator``); ``is_member`` for the network's coordinators
    and its spaces' managers, who see the network's other pages too."""

    is_member: bool
    is_coordinator: bool


def flows_reader(person: Person, network: PassNetwork) -> Reader | None:
    """The network's coordinators and the managers of its spaces read its flows; everyone
    does once the network made them public; None for anyone else (a 404: a stranger learns
    nothing about a network's members)."""
    if person.is_authenticated and networks_visible_to(person).filter(pk=network.pk).exists():
        return Reader(is_member=True,
                      is_coordinator=networks_coordinated_by(person).filter(pk=network.pk).exists())
    if network.public_flows:
        return Reader(is_member=False, is_coordinator=False)
    return None


def flows_publish(*, network: PassNetwork, public: bool) -> PassNetwork:
    """Make the network's flows public (in aggregate, small counts hidden) or private again."""
    network.public_flows = public
    network.save(update_fields=["public_flows"])
    return network


# --- Computing (the worker) ---------------------------------------------------


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = month_last_day(month) + timedelta(days=1)
    return months


def _daily_keys() -> list[str]:
    return list(PassNetwork.objects.order_by("slug").values_list("slug", flat=True))


# A member is a person; a pass whose holder erased their account stands for its own (its id
# negated, so that it never meets a person's).
MEMBER = Coalesce(F("pass_obj__holder_id"), -F("pass_obj_id"))


@computes(KIND, daily_keys=_daily_keys)
def flows_compute(key: str) -> dict:
    """The flows of the network whose slug is ``key``, month by month (exact counts). The
    database counts: a network's year of visits is read as a few hundred grouped rows."""
    network = PassNetwork.objects.get(slug=key)
    now = timezone.now()
    visits = Visit.objects.filter(pass_obj__plan__network=network)
    first = visits.aggregate(first=Min("day"))["first"]
    months = _months(first, timezone.localdate(now)) if first else []

    matrix: dict[str, list[list]] = {}
    for month in months:
        pairs = _by_pair(_network_visits(network).filter(day__range=(month, month_last_day(month))))
        matrix[f"{month:%Y-%m}"] = [[issuing, host, days] for (issuing, host), (days, _total)
                                    in sorted(pairs.items())]

    members: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for month, spaces_count in (
            visits.filter(pass_obj__plan__kind=PlanKind.SUBSCRIPTION)
            .annotate(month=TruncMonth("day"), member=MEMBER).order_by()
            .values("month", "member").annotate(spaces=Count("space_id", distinct=True))
            .values_list("month", "spaces")):
        members[f"{month:%Y-%m}"][0] += 1
        members[f"{month:%Y-%m}"][1] += spaces_count > 1

    first_elsewhere: dict[str, int] = defaultdict(int)
    for day in (_network_visits(network).filter(pass_obj__plan__kind=PlanKind.SUBSCRIPTION)
                .annotate(member=MEMBER).order_by().values("member").annotate(first=Min("day"))
                .values_list("first", flat=True)):
        first_elsewhere[f"{day:%Y-%m}"] += 1

    occupancy = _occupancy(network, now=now)
    # The network's spaces, and those that left it but appear in its past flows.
    space_ids = set(network.spaces.values_list("id", flat=True)) | {
        space_id for cells in matrix.values() for cell in cells for space_id in cell[:2]} | {
        row[0] for rows in occupancy.values() for row in rows}
    spaces = Space.objects.in_bulk(space_ids)
    return {
        "network": network.slug,
        "spaces": [{"id": s.id, "slug": s.slug, "name": s.name}
                   for s in sorted(spaces.values(), key=lambda s: (s.name, s.id))],
        "months": [f"{month:%Y-%m}" for month in months],
        "matrix": matrix,
        "members": dict(members),
        "first_elsewhere": dict(first_elsewhere),
        "occupancy": occupancy,
    }


def _occupancy(network: PassNetwork, *, now: datetime) -> dict[str, list[list]]:
    """Presences per month, space, weekday (0 = Monday) and hour, in the space's local time; a
    check-in still open counts until now, and none runs past its day's midnight (a forgotten
    check-out says nothing about the night).

    The database groups check-ins by month, space, weekday, arrival hour and the hour their last
    moment falls in (one query per time zone of the network's spaces); each group then counts
    in every hour from the one to the other."""
    checkins = CheckIn.objects.filter(pass_obj__plan__network=network).order_by()
    counts: dict[tuple[str, int, int, int], int] = defaultdict(int)
    for time_zone in set(Space.objects.filter(id__in=checkins.values("space_id"))
                         .values_list("time_zone", flat=True)):
        zone = zoneinfo.ZoneInfo(time_zone)
        # The last moment present: a departure at 12:00 leaves 11 h as the last hour.
        last = ExpressionWrapper(Coalesce(F("checked_out_at"), Value(now)) - timedelta(microseconds=1),
                                 output_field=DateTimeField())
        groups = (checkins.filter(space__time_zone=time_zone)
                  .annotate(month=TruncMonth("checked_in_at", tzinfo=zone),
                            weekday=ExtractIsoWeekDay("checked_in_at", tzinfo=zone),
                            first_hour=ExtractHour("checked_in_at", tzinfo=zone),
                            arrival_day=TruncDate("checked_in_at", tzinfo=zone),
                            last_moment=last)
                  .annotate(last_hour=ExtractHour("last_moment", tzinfo=zone),
                            last_day=TruncDate("last_moment", tzinfo=zone))
                  .annotate(days_later=Case(When(last_day__gt=F("arrival_day"), then=Value(1)),
                                            When(last_day__lt=F("arrival_day"), then=Value(-1)),
                                            default=Value(0)))
                  .values("month", "space_id", "weekday", "first_hour", "last_hour", "days_later")
                  .annotate(n=Count("id")))
        for row in groups:
            # Past midnight: until 23 h; out as soon as in: the arrival's hour alone.
            final = {1: 23, -1: row["first_hour"]}.get(row["days_later"],
                                                        max(row["first_hour"], row["last_hour"]))
            month = f"{row['month'].astimezone(zone):%Y-%m}"
            for hour in range(row["first_hour"], final + 1):
                counts[(month, row["space_id"], row["weekday"] - 1, hour)] += row["n"]
    by_month: dict[str, list[list]] = defaultdict(list)
    for (month_key, space_id, day_of_week, hour_of_day), count in sorted(counts.items()):
        by_month[month_key].append([space_id, day_of_week, hour_of_day, count])
    return dict(by_month)


# --- Reading (pages, downloads, the API) --------------------------------------


def parse_month(text: str, *, field: str) -> date:
    """``text`` (AAAA-MM, from 1970 to 2100) as the first day of its month; :class:`BadMonth`
    naming ``field``."""
    month = month_parse(text)
    if month is None:
        raise BadMonth(field=field)
    try:
        date_in_range(month)
    except ValidationError:
        raise BadMonth(field=field) from None
    return month


def month_range(*, first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """The months asked for (``from``, ``to``), by default the twelve ending with ``today``'s."""
    end = parse_month(last, field="to") if last else today.replace(day=1)
    if first:
        start = parse_month(first, field="from")
    else:
        start = end
        for _ in range(DEFAULT_MONTHS - 1):
            start = (start - timedelta(days=1)).replace(day=1)
    if start > end:
        raise MonthsReversed(field="to")
    return start, end


def space_chosen(data: dict, slug: str | None) -> dict | None:
    """The space of the snapshot ``data`` whose slug is ``slug`` (None for the whole network);
    :class:`UnknownSpace` naming ``space`` for any other."""
    if not slug:
        return None
    space = next((s for s in data.get("spaces", []) if s["slug"] == slug), None)
    if space is None:
        raise UnknownSpace(field="space")
    return space


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class Figures:
    """The flows of ``first``..``last`` as shown: each table (counts of people already
    through the small-count rule) and its chart."""

    first: date
    last: date
    matrix: Table
    occupancy: Table
    members: Table
    first_elsewhere: Table
    charts: dict[str, str]
    # The same figures for machines (the API): slugs, months as AAAA-MM, weekdays 0 = Monday.
    api: dict

    @property
    def tables(self) -> list[Table]:
        return [self.matrix, self.occupancy, self.members, self.first_elsewhere]


def figures(data: dict, *, first: date, last: date, space: dict | None = None,
            draw: bool = True) -> Figures:
    """What the snapshot ``data`` says of the months ``first``..``last``; the presences of
    ``space`` only when given (see :func:`space_chosen`), else of the whole network."""
    months = _months(first, last)
    keys = [f"{m:%Y-%m}" for m in months]
    labels = [date_format(m, "YEAR_MONTH_FORMAT").capitalize() for m in months]
    spaces = data.get("spaces", [])
    by_id = {space["id"]: space for space in spaces}

    cells: dict[tuple[int, int], int] = defaultdict(int)
    for key in keys:
        for issuing, host, days in data.get("matrix", {}).get(key, []):
            cells[(issuing, host)] += days
    matrix = Table("matrice", _("Passages par espace émetteur et espace d'accueil"),
                   [_("Membres de… (espace émetteur)"), *(s["name"] for s in spaces), _("Total")])
    for issuer in spaces:
        row = [cells[(issuer["id"], host["id"])] for host in spaces]
        matrix.rows.append([issuer["name"], *(people_count(n) if host["id"] != issuer["id"] else "—"
                                              for n, host in zip(row, spaces, strict=True)),
                            people_count(sum(row))])
    matrix.rows.append([_("Total"), *(people_count(sum(cells[(i["id"], h["id"])] for i in spaces))
                                      for h in spaces), people_count(sum(cells.values()))])

    presences: dict[tuple[int, int], int] = defaultdict(int)
    for key in keys:
        for space_id, weekday, hour, count in data.get("occupancy", {}).get(key, []):
            if space is None or space_id == space["id"]:
                presences[(weekday, hour)] += count
    hours = sorted(set(DAY_HOURS) | {hour for (_w, hour), n in presences.items() if n})
    occupancy_title = (_("Présences par jour de la semaine et heure") if space is None else
                       _("Présences par jour de la semaine et heure : %(space)s") % {"space": space["name"]})
    occupancy = Table("occupation", occupancy_title,
                      [_("Jour"), *(_("%(hour)s h") % {"hour": hour} for hour in hours)])
    for weekday, name in enumerate(WEEKDAYS):
        occupancy.rows.append([str(name).capitalize(),
                               *(people_count(presences[(weekday, hour)]) for hour in hours)])

    members = Table("membres", _("Membres venus dans plusieurs espaces"),
                    [_("Mois"), _("Membres venus"), _("Dans deux espaces ou plus"), _("Part (%)")])
    first_elsewhere = Table("premieres-visites", _("Premières visites hors de l'espace émetteur"),
                            [_("Mois"), _("Membres")])
    shares: list[int | str] = []  # for the chart, where a hidden share is left out
    for key, label in zip(keys, labels, strict=True):
        came, multi = data.get("members", {}).get(key, [0, 0])
        # A share would give away a small count that the table hides.
        hidden = people_count(multi) != multi
        shares.append(HIDDEN if hidden else _percent(multi, came))
        members.rows.append([label, people_count(came), people_count(multi),
                             "—" if hidden else _percent(multi, came)])
        first_elsewhere.rows.append([label, people_count(data.get("first_elsewhere", {}).get(key, 0))])

    drawn: dict[str, str] = {}
    if draw:
        names = [s["name"] for s in spaces]
        drawn["matrice"] = charts.heatmap_chart(
            matrix.title, names, names, [row[1:-1] for row in matrix.rows[:-1]],
            row_title=_("Membres de…"), column_title=_("… venus à"))
        drawn["occupation"] = charts.heatmap_chart(
            occupancy.title, [row[0] for row in occupancy.rows], [str(h) for h in hours],
            [row[1:] for row in occupancy.rows], column_title=_("Heure"))
        # Short month names: twelve of them side by side on a phone.
        short = [date_format(m, "N y") for m in months]
        drawn["membres"] = charts.line_chart(members.title + " (%)", short, {_("Part (%)"): shares},
                                             y_range=(0, 100))
        drawn["premieres-visites"] = charts.bar_chart(
            first_elsewhere.title, short, {_("Membres"): [row[1] for row in first_elsewhere.rows]})

    api = {
        "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}", "space": space["slug"] if space else None,
        "spaces": [{"slug": s["slug"], "name": s["name"]} for s in spaces],
        "matrix": [{"issuing_space": by_id[i]["slug"], "host_space": by_id[h]["slug"],
                    "visit_days": people_count(n)} for (i, h), n in sorted(cells.items())
                   if n and i in by_id and h in by_id],
        "members": [{"month": key, "members": row[1], "multi_space": row[2],
                     "multi_space_percent": None if is_hidden(share) else share}
                    for key, row, share in zip(keys, members.rows, shares, strict=True)],
        "first_elsewhere": [{"month": key, "members": row[1]}
                            for key, row in zip(keys, first_elsewhere.rows, strict=True)],
        "occupancy": [{"weekday": weekday, "hour": hour, "presences": people_count(n)}
                      for (weekday, hour), n in sorted(presences.items()) if n],
    }
    return Figures(first=first, last=last, matrix=matrix, occupancy=occupancy, members=members,
                   first_elsewhere=first_elsewhere, charts=drawn, api=api)
