"""The cooperation observatory: organizations linked by the public events they organize together.

Two organizations are linked when they organized at least one published event together (the
lead and an accepted co-organizer, or two accepted co-organizers); a link weighs the number
of such events. An event belongs to a territory by its own place, or by its lead
organization's when it has none (an online event). A kind filter keeps the links in which at
least one organization is of that kind: "whom do local authorities work with?".

Snapshots are keyed by the filter (:meth:`Filters.key`); the daily refresh computes all of
France for the last years and each region with events this year, other filters on demand.
Everything shown is about organizations (public facts): no person appears.

The events are read and the network measured once (:func:`measure`: the queries, the bridges,
the groups and the layout, seconds on a national network); its words (tables, charts, the
drawing's titles) are then written once per site language (:func:`words`), a few
milliseconds each.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qsl, urlencode

import networkx as nx
from django import forms
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import ExtractYear
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backend.throttling import charge_new_computation
from events.models import CoOrganization, CoOrganizationStatus, Event, EventStatus
from network.models import Organization, OrganizationKind
from network.territories import DEPARTMENTS, REGIONS, region_of
from observatory import charts
from observatory.models import Snapshot
from observatory.snapshots import (
    computed,
    computes,
    in_language,
    language,
    per_language,
    snapshot_read,
    snapshot_request,
)
from observatory.tables import LICENCE, LICENCE_URL, Table

KIND = "cooperation"
TREND_YEARS = 5  # the year-on-year table ends with the period's year
DAILY_YEARS = 3  # all of France, computed every day for this year and the two before
DRAWN = 150  # organizations drawn at most: the most linked ones
LABELLED = 12  # names written on the drawing (every node has its name as a tooltip)
# Betweenness walks the whole network once from each organization: exact while that is at
# most this many steps (organizations × (organizations + links)), else estimated from as
# many sampled organizations as the budget allows (a few seconds on a national network).
BETWEENNESS_BUDGET = 1_000_000
BETWEENNESS_MIN_SAMPLE = 32
BRIDGES_NAMED = 3  # the organizations named as the main bridges, above the table
PAGE_ROWS = 50  # rows of the links and organizations shown on the page (downloads hold all)
# A filter asked for on demand is computed again when read a day after.
STALE_AFTER = timedelta(days=1)
SEED = 2026  # layouts, samples and groups are seeded: the same data draws the same picture

# One colour per kind of organization, legible on white and told apart in the legend.
KIND_COLOURS: dict[str, str] = {
    OrganizationKind.ASSOCIATION: "#1f5c3f", OrganizationKind.SCOP: "#c2410c",
    OrganizationKind.SCIC: "#0e7490", OrganizationKind.CAE: "#7c3aed",
    OrganizationKind.MUTUELLE: "#be185d", OrganizationKind.FONDATION: "#65a30d",
    OrganizationKind.COLLECTIVITE: "#1d4ed8", OrganizationKind.ENTREPRISE: "#57534e",
    OrganizationKind.RESEAU: "#a11d1d",
}
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Filters:
    """What a cooperation snapshot is about: a territory, a period (a year, or two dates
    included) and a kind of organization. A department implies its region."""

    region: str = ""
    department: str = ""
    kind: str = ""
    year: int | None = None
    start: date | None = None
    end: date | None = None

    @property
    def key(self) -> str:
        """The snapshot's key: the filter as a query string, in a fixed order."""
        items = [("region", self.region), ("department", self.department), ("kind", self.kind),
                 ("year", str(self.year or "")), ("start", self.start.isoformat() if self.start else ""),
                 ("end", self.end.isoformat() if self.end else "")]
        return urlencode([(name, value) for name, value in items if value])

    @classmethod
    def from_key(cls, key: str) -> Filters:
        values = dict(parse_qsl(key))
        return cls(region=values.get("region", ""), department=values.get("department", ""),
                   kind=values.get("kind", ""), year=int(values["year"]) if "year" in values else None,
                   start=date.fromisoformat(values["start"]) if "start" in values else None,
                   end=date.fromisoformat(values["end"]) if "end" in values else None)

    @property
    def first_day(self) -> date:
        return self.start or date(self._year, 1, 1)

    @property
    def last_day(self) -> date:
        return self.end or date(self._year, 12, 31)

    @property
    def _year(self) -> int:
        return self.year or timezone.localdate().year

    def describe(self) -> dict:
        """The filter in words, for pages and downloads."""
        if self.department:
            territory = f"{DEPARTMENTS[self.department][0]} ({self.department})"
        else:
            territory = self.region or _("Toute la France")
        period = (str(self.year) if self.year else
                  _("du %(start)s au %(end)s") % {"start": f"{self.first_day:%d/%m/%Y}",
                                                   "end": f"{self.last_day:%d/%m/%Y}"})
        return {"territory": territory, "period": period,
                "kind": _kind_label(self.kind) if self.kind else _("Tous les types")}


def _department_choices() -> list:
    return [("", gettext_lazy("Tous les départements")), *[
        (region, [(code, f"{name} ({code})") for code, name in departments.items()])
        for region, departments in REGIONS.items()]]


class CooperationFilterForm(forms.Form):
    """The observatory's filter, read from a query string by the page and the API alike."""

    region = forms.ChoiceField(label=gettext_lazy("Région"), required=False, choices=[
        ("", gettext_lazy("Toute la France")), *[(region, region) for region in REGIONS]])
    department = forms.ChoiceField(label=gettext_lazy("Département"), required=False,
                                   choices=_department_choices)
    kind = forms.ChoiceField(label=gettext_lazy("Type de structure"), required=False, choices=[
        ("", gettext_lazy("Tous les types")), *OrganizationKind.choices])
    year = forms.IntegerField(label=gettext_lazy("Année"), required=False, min_value=FIRST_YEAR,
                              max_value=LAST_YEAR)
    start = forms.DateField(label=gettext_lazy("Du"), required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=gettext_lazy("Au"), required=False, input_formats=["%Y-%m-%d"])


    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        for name, day in (("start", start), ("end", end)):
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, _("Une date entre %(first)s et %(last)s est attendue.") % {
                    "first": FIRST_YEAR, "last": LAST_YEAR})
        if start and not end and "end" not in self.errors:
            self.add_error("end", _("Une période a une date de fin : indiquez-la, ou choisissez "
                                    "une année."))
        if end and not start and "start" not in self.errors:
            self.add_error("start", _("Une période a une date de début : indiquez-la, ou choisissez "
                                      "une année."))
        if start and end and end < start:
            self.add_error("end", _("La fin de la période doit suivre son début."))
        return data

    def filters(self) -> Filters:
        """The valid filter (call after ``is_valid()``); this year when no period is given."""
        data = self.cleaned_data
        department = data.get("department") or ""
        dated = bool(data.get("start") and data.get("end"))
        return Filters(region=region_of(department) if department else data.get("region") or "",
                       department=department, kind=data.get("kind") or "",
                       year=None if dated else data.get("year") or timezone.localdate().year,
                       start=data["start"] if dated else None, end=data["end"] if dated else None)


def filters_from(params) -> tuple[Filters | None, dict[str, list[str]]]:
    """``(filters, {})`` from a query string, or ``(None, errors by field)``."""
    form = CooperationFilterForm(params)
    if not form.is_valid():
        return None, {field: [str(error) for error in errors] for field, errors in form.errors.items()}
    return form.filters(), {}


# --- Reading the events -------------------------------------------------------------------


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def _events(filters: Filters, first_day: date, last_day: date) -> QuerySet[Event]:
    """Published events of the filter's territory and kind, starting within the days given."""
    events = Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gte=_moment(first_day),
                                  starts_at__lt=_moment(last_day + timedelta(days=1)))
    if filters.department:
        events = events.filter(Q(department=filters.department)
                               | Q(department="", organization__department=filters.department))
    elif filters.region:
        events = events.filter(Q(region=filters.region) | Q(region="", organization__region=filters.region))
    if filters.kind:
        events = events.filter(Q(organization__kind=filters.kind) | Q(id__in=_accepted().filter(
            organization__kind=filters.kind).values("event_id")))
    return events


def _accepted() -> QuerySet[CoOrganization]:
    return CoOrganization.objects.filter(status=CoOrganizationStatus.ACCEPTED)


Pair = tuple[int, int]


def _pair_counts(events: QuerySet[Event], *, by_year: bool = False) -> Counter[tuple[int, Pair]]:
    """Events organized together by each pair of organizations (and by year): two aggregated
    queries, one for the lead with each co-organizer, one for co-organizers with each other.
    A pair counts an event once: the lead is never among its own co-organizers."""
    accepted = _accepted().filter(event__in=events)
    year = {"year": ExtractYear("event__starts_at")} if by_year else {}
    with_lead = accepted.values(a=F("event__organization_id"), b=F("organization_id"), **year).annotate(
        n=Count("event_id"))
    together = accepted.filter(event__co_organizations__status=CoOrganizationStatus.ACCEPTED,
                               event__co_organizations__organization_id__gt=F("organization_id")).values(
        a=F("organization_id"), b=F("event__co_organizations__organization_id"), **year).annotate(
        n=Count("event_id"))
    counts: Counter[tuple[int, Pair]] = Counter()
    for row in [*with_lead, *together]:
        counts[row.get("year", 0), (min(row["a"], row["b"]), max(row["a"], row["b"]))] += row["n"]
    return counts


def _keep_kind(pairs: dict[Pair, int], kinds: dict[int, str], kind: str) -> dict[Pair, int]:
    if not kind:
        return pairs
    return {pair: n for pair, n in pairs.items() if kind in (kinds[pair[0]], kinds[pair[1]])}


def _has_co_organizer() -> Exists:
    return Exists(_accepted().filter(event_id=OuterRef("pk")))


def _co_organized_events(events: QuerySet[Event]) -> Counter[int]:
    """How many co-organized events each organization took part in (as lead or co-organizer)."""
    counts: Counter[int] = Counter()
    for row in events.filter(_has_co_organizer()).values("organization_id").annotate(n=Count("id")):
        counts[row["organization_id"]] += row["n"]
    for row in _accepted().filter(event__in=events).values("organization_id").annotate(n=Count("event_id")):
        counts[row["organization_id"]] += row["n"]
    return counts


# --- Measures and drawing -----------------------------------------------------------------


def _graph(pairs: dict[Pair, int]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_weighted_edges_from((a, b, n) for (a, b), n in sorted(pairs.items()))
    return graph


def _betweenness_sample(graph: nx.Graph) -> int | None:
    """How many organizations to walk from: None for all of them (exact)."""
    nodes, steps = graph.number_of_nodes(), graph.number_of_nodes() + graph.number_of_edges()
    if nodes * steps <= BETWEENNESS_BUDGET:
        return None
    return min(nodes, max(BETWEENNESS_MIN_SAMPLE, BETWEENNESS_BUDGET // steps))


def _betweenness(graph: nx.Graph) -> dict[int, float]:
    """The share of shortest paths between two other organizations that pass through each one
    (0 to 1): high for those through which separate groups reach each other."""
    return nx.betweenness_centrality(graph, k=_betweenness_sample(graph), seed=SEED, normalized=True)


def _groups(graph: nx.Graph) -> dict[int, int]:
    """Each organization's group (1 is the largest): organizations that work more with each
    other than with the rest (Louvain communities, weighted by events together)."""
    if graph.number_of_edges() == 0:
        return {}
    communities = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    ordered = sorted(communities, key=lambda members: (-len(members), min(members)))
    return {node: number for number, members in enumerate(ordered, start=1) for node in members}


WIDTH, HEIGHT, MARGIN = 1000, 720, 60
LAYOUT_STEPS = 80


def _layout(graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """networkx's force layout (Fruchterman–Reingold, stronger links pulling closer), seeded so
    that the same network draws the same way, stretched over the canvas."""
    if not graph.number_of_nodes():
        return {}
    place = nx.spring_layout(graph, weight="weight", seed=SEED, iterations=LAYOUT_STEPS)
    xs, ys = [x for x, _y in place.values()], [y for _x, y in place.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    left, top = min(xs), min(ys)
    return {node: (round(MARGIN + (float(x) - left) / span_x * (WIDTH - 2 * MARGIN), 1),
                   round(MARGIN + (float(y) - top) / span_y * (HEIGHT - 2 * MARGIN), 1))
            for node, (x, y) in place.items()}


LABEL_SIZE, LABEL_CHARS = 19, 26  # the labels' font size on the canvas, and their length at most


def _label(name: str, centre: tuple[float, float], radius: float,
           taken: list[tuple[float, float, float, float]]) -> dict:
    """Where to write ``node``'s name: above, below, right or left of its circle, whichever
    overlaps the names and circles already there least, kept inside the canvas."""
    text = name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1] + "…"
    width, height, gap = len(text) * LABEL_SIZE * 0.62 + 6, LABEL_SIZE * 1.2, radius + 4
    x, y = centre
    candidates = [(x - width / 2, y - gap - height), (x - width / 2, y + gap), (x + gap, y - height / 2),
                  (x - gap - width, y - height / 2)]

    def box(left: float, top: float) -> tuple[float, float, float, float]:
        left = min(max(left, 4), WIDTH - 4 - width)
        top = min(max(top, 4), HEIGHT - 4 - height)
        return left, top, left + width, top + height

    def overlap(a: tuple[float, float, float, float]) -> float:
        return sum(max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
                   for b in taken)

    best = min((box(*c) for c in candidates), key=overlap)
    taken.append(best)
    return {"text": text, "x": round(best[0], 1), "y": round(best[3] - height * 0.25, 1)}


def _drawing(graph: nx.Graph, organizations: dict[int, Organization]) -> dict:
    """The most linked organizations placed on a canvas: circles sized by links, coloured by
    kind, the most linked named; lines as thick as the events together."""
    ranked = sorted(graph.nodes, key=lambda n: (-graph.degree(n), -graph.degree(n, weight="weight"),
                                               organizations[n].name))
    drawn = graph.subgraph(ranked[:DRAWN]).copy()  # a copy: a view filters on every read
    place = _layout(drawn)
    most = max((drawn.degree(n) for n in drawn.nodes), default=1) or 1
    heaviest = max((w for *_, w in drawn.edges(data="weight")), default=1)
    radius = {n: round(7 + 17 * math.sqrt(drawn.degree(n) / most), 1) for n in drawn.nodes}
    nodes = [{
        "x": place[n][0], "y": place[n][1], "r": radius[n],
        "colour": KIND_COLOURS.get(organizations[n].kind, "#4d5668"),
        "name": organizations[n].name, "links": graph.degree(n),
    } for n in ranked[:DRAWN]]
    # Circles are obstacles for the names; the most linked organizations are named first.
    taken = [(x - radius[n], y - radius[n], x + radius[n], y + radius[n])
             for n, (x, y) in place.items()]
    named = ranked[:min(LABELLED, DRAWN)]
    labels = [_label(organizations[n].name, place[n], radius[n], taken) for n in named]
    edges = [{"x1": place[u][0], "y1": place[u][1], "x2": place[v][0], "y2": place[v][1],
              "width": round(1 + 5 * math.sqrt(w / heaviest), 1)}
             for u, v, w in sorted(drawn.edges(data="weight"), key=lambda e: e[2])]
    return {"width": WIDTH, "height": HEIGHT, "nodes": nodes, "edges": edges, "labels": labels,
            "drawn": len(nodes), "total": graph.number_of_nodes()}


def _drawn(drawing: dict) -> dict:
    """The drawing as SVG markup in the active language, drawn by a template once, when the
    worker computes: the page inserts it as it is, in a few milliseconds however large the
    network."""
    nodes = [{**node, "title": ngettext("%(name)s (%(count)s lien)", "%(name)s (%(count)s liens)",
                                        node["links"]) % {"name": node["name"], "count": node["links"]}}
             for node in drawing["nodes"]]
    return {"drawn": drawing["drawn"], "total": drawing["total"],
            "svg": render_to_string("observatory/cooperation_network.svg",
                                    {"drawing": {**drawing, "nodes": nodes}})}


# --- The snapshot -------------------------------------------------------------------------


def _kind_label(kind: str) -> str:
    """The kind's name in the active language."""
    return str(OrganizationKind(kind).label) if kind in OrganizationKind.values else kind


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _trend(filters: Filters, organizations: dict[int, Organization]) -> list[list]:
    """Year by year up to the period's year: organizations linked, links, events, and the share
    of them that were co-organized."""
    last = filters.last_day.year
    first = last - TREND_YEARS + 1
    events = _events(filters, date(first, 1, 1), date(last, 12, 31))
    by_year: dict[int, dict[Pair, int]] = defaultdict(dict)
    for (year, pair), n in _pair_counts(events, by_year=True).items():
        by_year[year][pair] = n
    _fetch(organizations, {node for pairs in by_year.values() for pair in pairs for node in pair})
    kinds = {pk: o.kind for pk, o in organizations.items()}
    per_year = events.annotate(year=ExtractYear("starts_at"), co=_has_co_organizer()).values("year")
    totals = {row["year"]: row for row in per_year.annotate(
        events=Count("id"), co_organized=Count("id", filter=Q(co=True)))}
    rows = []
    # Years before the first event are left out: a young network starts with its first year.
    for year in range(min((y for y in totals if y >= first), default=last), last + 1):
        pairs = _keep_kind(by_year.get(year, {}), kinds, filters.kind)
        row = totals.get(year, {"events": 0, "co_organized": 0})
        rows.append([str(year), len({node for pair in pairs for node in pair}), len(pairs), row["events"],
                     row["co_organized"], _percent(row["co_organized"], row["events"])])
    return rows


def _fetch(organizations: dict[int, Organization], ids: Iterable[int]) -> None:
    missing = set(ids) - organizations.keys()
    if missing:
        organizations.update(Organization.objects.only("name", "slug", "kind", "region").in_bulk(missing))


@dataclass
class Network:
    """What the events of a filter measure, before any word is written (see :func:`measure`)."""

    filters: Filters
    graph: nx.Graph
    kinds: dict[int, str]  # each organization's kind
    # The links (names and events together), the organizations (with their kind's code where
    # the table writes its name), the years: rows as the tables give them.
    edge_rows: list[list]
    organization_rows: list[list]
    trend_rows: list[list]
    kind_pairs: dict[tuple[str, str], list[int]]  # pair of kinds (codes) → [links, events]
    totals: dict  # events, co_organized
    groups: int
    cut_points: int
    drawing: dict  # placed, its titles not written yet (see :func:`_drawn`)


def measure(filters: Filters) -> Network:
    """The network of ``filters``'s events, measured once for every language."""
    events = _events(filters, filters.first_day, filters.last_day)
    organizations: dict[int, Organization] = {}
    pairs_all = {pair: n for (_year, pair), n in _pair_counts(events).items()}
    _fetch(organizations, {node for pair in pairs_all for node in pair})
    kinds = {pk: o.kind for pk, o in organizations.items()}
    pairs = _keep_kind(pairs_all, kinds, filters.kind)
    graph = _graph(pairs)
    betweenness = _betweenness(graph)
    cut_points = set(nx.articulation_points(graph))
    groups = _groups(graph)
    co_organized = _co_organized_events(events)
    totals = events.aggregate(events=Count("id"), co_organized=Count("id", filter=Q(_has_co_organizer())))

    def name(pk: int) -> str:
        return organizations[pk].name

    named_pairs = [(sorted((name(a), name(b))), n) for (a, b), n in pairs.items()]
    edge_rows = [[a, b, n] for (a, b), n in sorted(named_pairs, key=lambda item: (-item[1], item[0]))]
    ranked = sorted(graph.nodes, key=lambda n: (-betweenness[n], -graph.degree(n), name(n)))
    organization_rows = [[name(n), kinds[n], organizations[n].region or "—", graph.degree(n),
                          co_organized[n], round(100 * betweenness[n], 2), n in cut_points, groups.get(n)]
                         for n in ranked]
    kind_pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (a, b), n in pairs.items():
        pair = tuple(sorted((kinds[a], kinds[b])))
        kind_pairs[pair][0] += 1  # type: ignore[index]
        kind_pairs[pair][1] += n  # type: ignore[index]
    return Network(filters=filters, graph=graph, kinds=kinds, edge_rows=edge_rows,
                   organization_rows=organization_rows, trend_rows=_trend(filters, organizations),
                   kind_pairs=dict(kind_pairs), totals=totals, groups=len(set(groups.values())),
                   cut_points=len(cut_points), drawing=_drawing(graph, organizations))


def words(network: Network) -> dict:
    """Everything the observatory shows of ``network``, written in the active language."""
    graph, totals, filters = network.graph, network.totals, network.filters
    organization_rows = [[*row[:1], _kind_label(row[1]), *row[2:]] for row in network.organization_rows]
    kind_rows: list[list] = [[" × ".join(sorted((_kind_label(a), _kind_label(b)))), links, n]
                             for (a, b), (links, n) in sorted(network.kind_pairs.items(),
                                                              key=lambda item: (-item[1][1], item[0]))]
    trend_rows = network.trend_rows
    tables = [
        Table("liens", _("Liens entre structures"),
              [_("Structure"), _("Structure partenaire"), _("Événements co-organisés ensemble")],
              network.edge_rows),
        Table("structures", _("Structures et passerelles"),
              [_("Structure"), _("Type"), _("Région"), _("Liens (partenaires)"), _("Événements co-organisés"),
               _("Score de passerelle (%)"), _("Point d'articulation"), _("Groupe")], organization_rows),
        Table("types", _("Types de structures qui coopèrent"),
              [_("Paire de types"), _("Liens"), _("Événements co-organisés ensemble")], kind_rows),
        Table("annees", _("D'une année à l'autre"),
              [_("Année"), _("Structures liées"), _("Liens"), _("Événements publiés"),
               _("Événements co-organisés"), _("Part co-organisée (%)")], trend_rows),
    ]
    order = list(KIND_COLOURS)
    present = sorted({network.kinds[n] for n in graph.nodes}, key=order.index)
    return {
        # Everything the page shows, under one key: the page reads it alone, not the tables
        # (a national network has tens of thousands of links, which the downloads give).
        "view": {
            "filters": {**filters.describe(), "key": filters.key},
            "summary": {
                "organizations": graph.number_of_nodes(), "links": graph.number_of_edges(),
                "events": totals["events"], "co_organized": totals["co_organized"],
                "share": _percent(totals["co_organized"], totals["events"]),
                "groups": network.groups, "cut_points": network.cut_points,
                "estimated": _betweenness_sample(graph) is not None,
            },
            # The answer first: the organizations that bridge most, before the explanation.
            "bridges": [{"name": row[0], "score": row[5], "cut_point": row[6]}
                        for row in organization_rows[:BRIDGES_NAMED] if row[5] > 0],
            "drawing": _drawn(network.drawing),
            "legend": [{"label": _kind_label(kind), "colour": KIND_COLOURS[kind]} for kind in present],
            "charts": {
                # pygal draws horizontal bars from the bottom up: the largest pair first is on top.
                "types": charts.bar_chart(
                    _("Événements co-organisés par paire de types"), [row[0] for row in kind_rows[14::-1]],
                    {_("Événements"): [row[2] for row in kind_rows[14::-1]]}, horizontal=True)
                if kind_rows else "",
                "annees": charts.line_chart(
                    _("Structures liées et liens, par année"), [r[0] for r in trend_rows],
                    {_("Structures liées"): [r[1] for r in trend_rows],
                     _("Liens"): [r[2] for r in trend_rows]}),
            },
            "tables": {table.slug: {**table.as_data(), "rows": table.rows[:PAGE_ROWS],
                                    "count": len(table.rows)} for table in tables},
        },
        "tables": [table.as_data() for table in tables],
    }


def cooperation_data(filters: Filters) -> dict:
    """Everything the observatory shows for ``filters`` in the active language, JSON-ready."""
    return words(measure(filters))


def daily_keys() -> list[str]:
    """All of France for this year and the two before; each region with events this year."""
    year = timezone.localdate().year
    regions = (Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__year=year).exclude(region="")
               .order_by().values_list("region", flat=True).distinct())
    return [Filters(year=y).key for y in range(year - DAILY_YEARS + 1, year + 1)] + [
        Filters(region=region, year=year).key for region in sorted(set(regions)) if region in REGIONS]


@computes(KIND, daily_keys=daily_keys, version=2)
def compute(key: str) -> dict:
    """A snapshot's data: the network measured once, written in each site language."""
    network = measure(Filters.from_key(key))
    return per_language(lambda: words(network))


def _ask_unless_fresh(filters: Filters, computed_at: datetime | None, request: HttpRequest) -> None:
    """Ask the worker for figures not computed yet or older than a day. Figures nobody asked
    for before are charged to the asker's budget of new computations (anyone may choose a
    filter, and each new one costs the worker seconds)."""
    if computed_at is not None and computed_at >= timezone.now() - STALE_AFTER:
        return
    if computed_at is None and not Snapshot.objects.filter(kind=KIND, key=filters.key).exists():
        charge_new_computation(request)
    snapshot_request(kind=KIND, key=filters.key)


def snapshot_for(filters: Filters, request: HttpRequest) -> Snapshot | None:
    """The stored figures for ``filters``, or None while the worker computes them for the first
    time; figures older than a day are asked for again (shown meanwhile)."""
    snapshot = snapshot_read(kind=KIND, key=filters.key)
    _ask_unless_fresh(filters, snapshot.computed_at if snapshot else None, request)
    return snapshot


def page_read(filters: Filters, request: HttpRequest) -> dict | None:
    """What the page shows of the figures for ``filters`` in the visitor's language (as
    :func:`snapshot_for`), without reading the whole tables from the database."""
    read = (computed(KIND).filter(key=filters.key)
            .values("computed_at", view=KeyTransform("view", KeyTransform(language(), "data"))).first())
    _ask_unless_fresh(filters, read["computed_at"] if read else None, request)
    return {**read["view"], "computed_at": read["computed_at"]} if read else None


def public_data(filters: Filters, snapshot: Snapshot | None) -> dict:
    """The open data of a snapshot (the API's answer and the JSON download): what it is about,
    when it was computed, its licence, its summary and tables."""
    body: dict = {"status": "computing", "filters": {**filters.describe(), "key": filters.key},
                  "computed_at": None, "licence": LICENCE, "licence_url": LICENCE_URL}
    if snapshot is not None:
        data = in_language(snapshot.data)
        body.update(status="ready", computed_at=snapshot.computed_at,
                    summary=data["view"]["summary"], tables=data["tables"])
    return body
