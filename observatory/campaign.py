"""A campaign's figures (the "bilan" of a Mois de l'ESS), computed by the worker into snapshots.

Two kinds of keys, one snapshot each (see :mod:`observatory.snapshots`):

- ``<slug>``: the public figures. Only the campaign's approved, published events count.
- ``<slug>:<territory>``: what the coordinators of a territory see: every event of the
  campaign there, drafts, pending, refused and cancelled ones included, with a table of
  moderation states. ``<territory>`` is ``*`` (a national coordinator) or the region names
  joined by ``+``; which events a territory holds is :func:`events.selectors.within_territory`.

A campaign knows its previous edition because its coordinators say so
(``Campaign.previous_edition``, chosen in the administration): editions are separate rows
whose titles, dates and coordinators change, so guessing from names or dates would pair the
wrong ones. Every figure is computed for the previous edition too, over the same territory
and by the same rules, and shown beside it.

Counts of events and organizations are public facts; counts of people (registrations,
attendance) go through :func:`observatory.disclosure.people_count`, and a rate computed from
fewer than five people is not shown. The database is measured once (:func:`measure`), then
the tables and their charts are written and drawn once per site language
(:func:`observatory.snapshots.per_language`) so that pages only read.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from events.models import (
    Campaign,
    Event,
    EventFormat,
    EventStatus,
    Moderation,
    Registration,
    RegistrationStatus,
)
from events.selectors import within_territory
from network.models import Organization, OrganizationKind
from network.territories import department_name, region_of
from observatory import charts
from observatory.disclosure import SMALL_COUNT, people_count
from observatory.models import Snapshot
from observatory.snapshots import computes, per_language
from observatory.tables import Table

KIND = "campaign"
EVERYWHERE = "*"
# Weeks are counted in the campaign's own zone: a Mois de l'ESS is a French affair.
ZONE = zoneinfo.ZoneInfo("Europe/Paris")
# Charts drawn this wide (in pixels) keep readable text on a phone, where they shrink.
CHART_WIDTH = 520
# A chart of departments draws the most active ones; the table beneath lists them all.
CHART_DEPARTMENTS = 20
NOT_SHOWN = "—"
# A territory's figures are refreshed daily this long after its campaign ends.
TERRITORIES_KEPT = timedelta(days=90)


# --- keys -------------------------------------------------------------------------

def public_key(campaign: Campaign) -> str:
    return campaign.slug


def territory_key(campaign: Campaign, regions: Iterable[str] | None) -> str:
    """The key of the figures the coordinators of ``regions`` (``None``: everywhere) see."""
    return f"{campaign.slug}:{EVERYWHERE if regions is None else '+'.join(sorted(regions))}"


@dataclass(frozen=True)
class Scope:
    """Which events count: the public ones, or all those of a coordinator's territory."""

    coordinators: bool = False
    regions: frozenset[str] | None = None

    @classmethod
    def from_key(cls, key: str) -> tuple[str, Scope]:
        slug, _sep, territory = key.partition(":")
        if not territory:
            return slug, cls()
        return slug, cls(coordinators=True,
                         regions=None if territory == EVERYWHERE else frozenset(territory.split("+")))

    def events(self, campaign: Campaign) -> QuerySet[Event]:
        events = Event.objects.filter(campaign=campaign)
        if not self.coordinators:
            return events.filter(moderation=Moderation.APPROVED, status=EventStatus.PUBLISHED)
        return events.filter(within_territory(None if self.regions is None else set(self.regions)))


def daily_keys() -> list[str]:
    """Every campaign's public figures, and every territory a coordinator has looked at, while
    its campaign runs and for :data:`TERRITORIES_KEPT` after it ends (late check-ins and
    moderation settle by then; a territory looked at later is computed on that visit)."""
    slugs = set(Campaign.objects.values_list("slug", flat=True))
    recent = set(Campaign.objects.filter(ends_on__gte=timezone.localdate() - TERRITORIES_KEPT)
                 .values_list("slug", flat=True))
    territories = [key for key in Snapshot.objects.filter(kind=KIND, key__contains=":")
                   .values_list("key", flat=True) if key.partition(":")[0] in recent]
    return sorted(slugs) + territories


# --- measures ---------------------------------------------------------------------

@dataclass
class Measures:
    """Raw counts of one edition over one scope (people not yet rounded to "< 5"), without a
    word: an unknown region and an event without a theme count under ``""``."""

    events: int = 0
    co_organized: int = 0
    by_region: Counter = field(default_factory=Counter)
    co_by_region: Counter = field(default_factory=Counter)
    by_department: Counter = field(default_factory=Counter)
    by_theme: Counter = field(default_factory=Counter)
    by_format: Counter = field(default_factory=Counter)
    by_week: Counter = field(default_factory=Counter)
    by_state: Counter = field(default_factory=Counter)
    organizations: int = 0
    first_time: int = 0
    organizations_by_kind: Counter = field(default_factory=Counter)
    first_time_by_kind: Counter = field(default_factory=Counter)
    # region → {"capacity", "confirmed", "confirmed_capped", "waitlisted", "attended", "confirmed_checked",
    # "events_checked"}
    people: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def total(self, name: str) -> int:
        return sum(counts[name] for counts in self.people.values())


def _region(region: str, department: str) -> str:
    return region or region_of(department) or ""


def _region_label(region: str) -> str:
    return region or _("Non renseignée")


def _week(campaign: Campaign, day: date) -> int:
    """1 for the campaign's first seven days; 0 before it starts; -1 after it ends."""
    if day < campaign.starts_on:
        return 0
    if day > campaign.ends_on:
        return -1
    return (day - campaign.starts_on).days // 7 + 1


def _state(status: str, moderation: str) -> str:
    if status == EventStatus.CANCELLED:
        return "cancelled"
    if status == EventStatus.DRAFT:
        return "draft"
    return moderation


def measure(campaign: Campaign, scope: Scope) -> Measures:
    """Every count of ``campaign`` over ``scope``, in a fixed number of grouped queries."""
    events = scope.events(campaign)
    co_organizers = Event.co_organizers.through.objects
    m = Measures()
    places = (events.values("region", "department")
              .annotate(n=Count("id"), capacity=Sum("capacity"),
                        co=Count("id", filter=Q(Exists(co_organizers.filter(event_id=OuterRef("pk")))))))
    for row in places:
        region = _region(row["region"], row["department"])
        m.events += row["n"]
        m.co_organized += row["co"]
        m.by_region[region] += row["n"]
        m.co_by_region[region] += row["co"]
        m.by_department[row["department"]] += row["n"]
        m.people[region]["capacity"] += row["capacity"] or 0
    for row in events.values("themes__name").annotate(n=Count("id")):
        m.by_theme[row["themes__name"] or ""] += row["n"]
    for row in events.values("format").annotate(n=Count("id")):
        m.by_format[row["format"]] += row["n"]
    for row in events.annotate(day=TruncDate("starts_at", tzinfo=ZONE)).values("day").annotate(n=Count("id")):
        m.by_week[_week(campaign, row["day"])] += row["n"]
    if scope.coordinators:
        for row in events.values("status", "moderation").annotate(n=Count("id")):
            m.by_state[_state(row["status"], row["moderation"])] += row["n"]

    taking_part = set(events.values_list("organization_id", flat=True).distinct())
    taking_part |= set(co_organizers.filter(event__in=events).values_list("organization_id", flat=True)
                       .distinct())
    # Taking part before means a public event (approved, published) of an earlier campaign.
    earlier = Event.objects.filter(campaign__starts_on__lt=campaign.starts_on, moderation=Moderation.APPROVED,
                                   status=EventStatus.PUBLISHED)
    before = set(earlier.filter(organization_id__in=taking_part).values_list("organization_id", flat=True)
                 .distinct())
    before |= set(co_organizers.filter(event__in=earlier, organization_id__in=taking_part)
                  .values_list("organization_id", flat=True).distinct())
    m.organizations, m.first_time = len(taking_part), len(taking_part - before)
    for pk, kind in Organization.objects.filter(pk__in=taking_part).values_list("pk", "kind"):
        m.organizations_by_kind[kind] += 1
        m.first_time_by_kind[kind] += pk not in before

    confirmed = Q(status=RegistrationStatus.CONFIRMED)
    checked_in = Q(checked_in_at__isnull=False)
    checked_events = Registration.objects.filter(checked_in, event__in=events).values("event_id")
    registrations = (
        Registration.objects.filter(event__in=events).values("event__region", "event__department")
        .annotate(confirmed=Count("id", filter=confirmed),
                  confirmed_capped=Count("id", filter=confirmed & Q(event__capacity__isnull=False)),
                  waitlisted=Count("id", filter=Q(status=RegistrationStatus.WAITLISTED)),
                  attended=Count("id", filter=confirmed & checked_in),
                  confirmed_checked=Count("id", filter=confirmed & Q(event_id__in=checked_events)),
                  events_checked=Count("event", filter=checked_in, distinct=True)))
    for row in registrations:
        counts = m.people[_region(row.pop("event__region"), row.pop("event__department"))]
        counts.update(row)
    return m


# --- tables -------------------------------------------------------------------------

def _rate(part: int, whole: int) -> int | str:
    """A percentage of people, not shown when fewer than five people make it."""
    if whole == 0:
        return NOT_SHOWN
    if 0 < part < SMALL_COUNT or whole < SMALL_COUNT:
        return NOT_SHOWN
    return round(100 * part / whole)


def _share(part: int, whole: int) -> int | str:
    """A percentage of events (public facts)."""
    return round(100 * part / whole) if whole else NOT_SHOWN


def _change(now: int | str, before: int | str) -> str:
    if isinstance(now, int) and isinstance(before, int):
        return f"{now - before:+d}"
    return NOT_SHOWN


def _ordered(*counters: Counter) -> list:
    """Labels by decreasing count of the first counter, then by name; labels only the
    others have come last."""
    first = counters[0]
    others = {label for counter in counters[1:] for label in counter} - set(first)
    return (sorted(first, key=lambda label: (-first[label], str(label)))
            + sorted(others, key=str))


def _week_label(campaign: Campaign, week: int, *, short: bool = False) -> str:
    """"Semaine 2 (8 nov – 14 nov)", or "Semaine 2" where a chart has no room for the dates."""
    if week == 0:
        return _("Avant") if short else _("Avant la campagne")
    if week < 0:
        return _("Après") if short else _("Après la campagne")
    if short:
        return _("Semaine %(n)s") % {"n": week}
    start = campaign.starts_on + timedelta(days=7 * (week - 1))
    end = min(start + timedelta(days=6), campaign.ends_on)
    return _("Semaine %(n)s (%(start)s – %(end)s)") % {
        "n": week, "start": formats.date_format(start, "j b"), "end": formats.date_format(end, "j b")}


class Figures:
    """The tables and charts of one campaign over one scope, beside its previous edition: the
    database measured once, the words written by :meth:`data` in the active language."""

    def __init__(self, campaign: Campaign, scope: Scope) -> None:
        self.campaign, self.scope = campaign, scope
        self.previous = campaign.previous_edition
        self.now = measure(campaign, scope)
        self.before = measure(self.previous, scope) if self.previous is not None else None
        self.tables: list[Table] = []
        self.charts: dict[str, str] = {}

    # Column headings of the two editions.
    @property
    def editions(self) -> list[str]:
        return [self.campaign.title] + ([self.previous.title] if self.previous is not None else [])

    def _compared(self, slug: str, title: str, heading: str, now: Counter, before: Counter | None, *,
                  label=str, chart_title: str = "", horizontal: bool = True, limit: int | None = None,
                  order: list | None = None, extra: dict[str, Counter] | None = None,
                  chart_label=None) -> None:
        labels = order if order is not None else _ordered(now, *([before] if before is not None else []))
        extra = extra or {}
        headers = [heading, self.campaign.title, *extra]
        if before is not None:
            headers.append(self.previous.title)  # type: ignore[union-attr]
        rows = []
        for key in labels:
            row = [label(key), now[key], *(counter[key] for counter in extra.values())]
            if before is not None:
                row.append(before[key])
            rows.append(row)
        self.tables.append(Table(slug=slug, title=title, headers=headers, rows=rows))
        drawn = rows[:limit] if limit else rows
        series = {self.campaign.title: [row[1] for row in drawn]}
        if before is not None:
            series[self.previous.title] = [row[-1] for row in drawn]  # type: ignore[union-attr]
        if drawn:
            self.charts[slug] = charts.bar_chart(
                chart_title or title, [(chart_label or label)(key) for key in labels[:len(drawn)]], series,
                horizontal=horizontal, width=CHART_WIDTH)

    def summary(self) -> None:
        def lines(m: Measures) -> list[int | str]:
            return [
                m.events, _share(m.co_organized, m.events), len(m.by_region), len(m.by_department),
                m.organizations, m.first_time, people_count(m.total("confirmed")),
                m.total("capacity"), _rate(m.total("confirmed_capped"), m.total("capacity")),
                m.total("events_checked"), people_count(m.total("attended")),
                _rate(m.total("attended"), m.total("confirmed_checked")),
            ]

        names = [_("Événements"), _("Part d'événements co-organisés (%)"), _("Régions"),
                 _("Départements"), _("Structures organisatrices"), _("dont pour la première fois"),
                 _("Inscriptions confirmées"), _("Places offertes"), _("Taux de remplissage (%)"),
                 _("Événements où l'entrée a été pointée"), _("Présences pointées"),
                 _("Taux de présence (%)")]
        now = lines(self.now)
        headers = [_("Indicateur"), self.campaign.title]
        if self.before is None:
            rows = [[name, value] for name, value in zip(names, now, strict=True)]
        else:
            before = lines(self.before)
            headers += [self.previous.title, _("Évolution")]  # type: ignore[union-attr]
            rows = [[name, value, old, _change(value, old)]
                    for name, value, old in zip(names, now, before, strict=True)]
        self.tables.append(Table(slug="chiffres-cles", title=_("Chiffres clés"), headers=headers, rows=rows))

    def moderation(self) -> None:
        states = {"draft": _("Brouillons"), Moderation.PENDING.value: _("En attente de modération"),
                  Moderation.APPROVED.value: _("Approuvés"), Moderation.REJECTED.value: _("Refusés"),
                  Moderation.NONE.value: _("Hors modération"), "cancelled": _("Annulés")}
        order = [state for state in states if self.now.by_state[state]
                 or (self.before is not None and self.before.by_state[state])]
        self._compared("moderation", _("Événements par état de modération"), _("État"), self.now.by_state,
                       self.before.by_state if self.before else None, label=states.get, order=order)

    def regions(self) -> None:
        self._compared("regions", _("Événements par région"), _("Région"), self.now.by_region,
                       self.before.by_region if self.before else None, label=_region_label,
                       extra={_("dont co-organisés"): self.now.co_by_region})

    def departments(self) -> None:
        self._compared("departements", _("Événements par département"), _("Département"),
                       self.now.by_department, self.before.by_department if self.before else None,
                       label=lambda code: f"{department_name(code)} ({code})" if code else _("Non renseigné"),
                       limit=CHART_DEPARTMENTS,
                       chart_title=_("Les départements les plus actifs") if len(self.now.by_department)
                       > CHART_DEPARTMENTS else "")

    def themes(self) -> None:
        self._compared("themes", _("Événements par thème"), _("Thème"), self.now.by_theme,
                       self.before.by_theme if self.before else None,
                       label=lambda theme: theme or _("Sans thème"))

    def formats(self) -> None:
        self._compared("formats", _("Événements par format"), _("Format"), self.now.by_format,
                       self.before.by_format if self.before else None,
                       label=lambda code: str(EventFormat(code).label) if code in EventFormat.values
                       else code)

    def weeks(self) -> None:
        weeks = set(self.now.by_week) | (set(self.before.by_week) if self.before else set())
        order = sorted(weeks, key=lambda week: (week < 0, week))
        self._compared("semaines", _("Événements par semaine de la campagne"), _("Semaine"), self.now.by_week,
                       self.before.by_week if self.before else None, order=order, horizontal=False,
                       label=lambda week: _week_label(self.campaign, week),
                       chart_label=lambda week: _week_label(self.campaign, week, short=True))

    def organizations(self) -> None:
        kinds = dict(OrganizationKind.choices)
        self._compared("structures", _("Structures organisatrices par type"), _("Type de structure"),
                       self.now.organizations_by_kind,
                       self.before.organizations_by_kind if self.before else None,
                       label=lambda kind: str(kinds.get(kind, kind)),
                       extra={_("dont pour la première fois"): self.now.first_time_by_kind})

    def registrations(self) -> None:
        headers = [_("Région"), _("Places offertes"), _("Inscriptions confirmées"), _("Liste d'attente"),
                   _("Taux de remplissage (%)"), _("Événements où l'entrée a été pointée"),
                   _("Présences pointées"), _("Taux de présence (%)")]
        rows: list[list] = []
        people = self.now.people
        for region in _ordered(Counter({region: counts["confirmed"] for region, counts in people.items()})):
            counts = people[region]
            if not (counts["confirmed"] or counts["waitlisted"] or counts["capacity"]):
                continue
            rows.append([_region_label(region), counts["capacity"], people_count(counts["confirmed"]),
                         people_count(counts["waitlisted"]),
                         _rate(counts["confirmed_capped"], counts["capacity"]),
                         counts["events_checked"], people_count(counts["attended"]),
                         _rate(counts["attended"], counts["confirmed_checked"])])
        self.tables.append(Table(slug="inscriptions", title=_("Inscriptions et présences par région"),
                                 headers=headers, rows=rows))
        if any(row[2] for row in rows):
            self.charts["inscriptions"] = charts.bar_chart(
                _("Inscriptions confirmées et présences pointées par région"), [row[0] for row in rows],
                {_("Inscriptions confirmées"): [row[2] for row in rows],
                 _("Présences pointées"): [row[6] for row in rows]}, horizontal=True, width=CHART_WIDTH)

    def data(self) -> dict:
        """Every table and chart, written in the active language (once per language)."""
        self.tables, self.charts = [], {}
        self.summary()
        if self.scope.coordinators:
            self.moderation()
        self.regions()
        self.departments()
        self.themes()
        self.formats()
        self.weeks()
        self.organizations()
        self.registrations()
        return {
            "campaign": _edition(self.campaign),
            "previous_edition": _edition(self.previous) if self.previous is not None else None,
            "territory": (None if not self.scope.coordinators
                          else EVERYWHERE if self.scope.regions is None else sorted(self.scope.regions)),
            "tables": [table.as_data() for table in self.tables],
            "charts": self.charts,
        }


def _edition(campaign: Campaign) -> dict:
    return {"slug": campaign.slug, "title": campaign.title, "starts_on": campaign.starts_on.isoformat(),
            "ends_on": campaign.ends_on.isoformat()}


@computes(KIND, daily_keys=daily_keys, version=2)
def campaign_figures(key: str) -> dict:
    """The figures of the campaign (and scope) named by ``key``, in each site language; see the
    module's docstring."""
    slug, scope = Scope.from_key(key)
    campaign = Campaign.objects.select_related("previous_edition").get(slug=slug)
    return per_language(Figures(campaign, scope).data)
