"""The events a publication shows: the public agenda under the agenda's own filters.

Every publication (embedded agenda, JSON, brochure, map) takes the filters the agenda
page and the calendar feeds take, with the same meaning: the API's filter set holds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.api import EventFilter
from events.models import Campaign, Event, EventStatus, Theme
from events.selectors import event_list, events_visible_to
from network.models import Organization
from network.territories import DEPARTMENTS, department_name

RELATIONS_VERSION = "programme:relations-version"

# The filters a publication accepts, in the order they are written in a key.
PUBLIC_FILTERS = ("campaign", "organization", "space", "theme", "territory", "format")

# The languages a brochure or an embedded agenda may be written in: the site's.
LANGUAGES = dict(settings.LANGUAGES)


class BadFilter(ValueError):
    """A filter value the agenda does not know (``errors``: field name → messages)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Selection:
    """A chosen set of public filters, written canonically (empty values left out)."""

    filters: tuple[tuple[str, str], ...]

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Selection:
        chosen = ((name, str(params.get(name, "")).strip()) for name in PUBLIC_FILTERS)
        return cls(tuple((name, value) for name, value in chosen if value))

    @property
    def query(self) -> str:
        """The filters as a URL query, encoded ("territory=Provence-Alpes-C%C3%B4te+d%27Azur"):
        the one way a selection is written in an address or a key."""
        return urlencode(self.filters)

    @property
    def agenda_path(self) -> str:
        """The agenda page showing this selection."""
        return reverse("web:agenda") + (f"?{self.query}" if self.query else "")

    def as_dict(self) -> dict[str, str]:
        return dict(self.filters)


def upcoming(selection: Selection, *, include_cancelled: bool = True,
             listing: bool = True) -> QuerySet[Event]:
    """The public events of ``selection`` still to come or running, in order; with what a
    listing shows loaded unless ``listing`` is False (plain rows, for :func:`fingerprint`).
    Raises :class:`BadFilter` for a value the filters refuse."""
    events = event_list(None) if listing else events_visible_to(None)
    events = events.filter(ends_at__gte=timezone.now())
    if not include_cancelled:
        events = events.filter(status=EventStatus.PUBLISHED)
    filters = EventFilter(selection.as_dict(), queryset=events)
    if not filters.is_valid():
        raise BadFilter({name: [str(m) for m in messages] for name, messages in filters.errors.items()})
    return filters.qs.order_by("starts_at", "id")


def fingerprint(events: QuerySet[Event], *extra: str) -> str:
    """A digest of what ``events`` (ordered) show: which events, each one's last change and its
    organizer's. One query over plain columns; equal digests mean an unchanged listing."""
    # Themes and co-organizers leave an event's updated_at as it is: their changes bump a
    # version the signals keep in the cache (programme.signals).
    digest = hashlib.sha256("|".join([*extra, str(cache.get(RELATIONS_VERSION, 0))]).encode())
    rows = events.values_list(
        "id", "updated_at", "organization__updated_at")
    for pk, updated_at, organization_updated_at in rows:
        digest.update(f"{pk}:{updated_at.timestamp()}:{organization_updated_at.timestamp()};".encode())
    return digest.hexdigest()[:32]


def describe(selection: Selection) -> tuple[str, str]:
    """A title and a subtitle naming ``selection``: a brochure's cover, the map's heading."""
    chosen = selection.as_dict()
    title = _("Agenda de l'ESS")
    campaign = Campaign.objects.filter(slug=chosen.get("campaign", "")).first()
    organization = Organization.objects.filter(slug=chosen.get("organization", "")).first()
    if campaign:
        title = campaign.title
    elif organization:
        title = _("Les événements de %(name)s") % {"name": organization.name}
    details = []
    if territory := chosen.get("territory"):
        # A region by name; a department or a commune by its code.
        if territory in DEPARTMENTS:
            territory = f"{department_name(territory)} ({territory})"
        elif len(territory) <= 3 and territory[:1].isdigit():
            territory = _("Département %(code)s") % {"code": territory}
        elif len(territory) == 5 and territory[:1].isdigit():
            territory = _("Commune %(code)s (code INSEE)") % {"code": territory}
        details.append(territory)
    if theme := Theme.objects.filter(slug=chosen.get("theme", "")).first():
        details.append(theme.name)
    if campaign and organization:
        details.append(organization.name)
    return title, " · ".join(details)


def language_param(params: Mapping[str, str], errors: dict[str, list[str]]) -> str:
    """The ``lang`` of ``params`` (the site's first language when absent); one the site does
    not speak adds an error naming ``lang`` to ``errors``."""
    language = params.get("lang", "").strip() or settings.LANGUAGE_CODE
    if language not in LANGUAGES:
        errors["lang"] = [_("Langue inconnue : choisir parmi %(choices)s.")
                          % {"choices": ", ".join(LANGUAGES)}]
    return language


def selection_param(params: Mapping[str, str], errors: dict[str, list[str]]) -> Selection:
    """The selection ``params`` ask for; a filter that is wrong adds an error naming it to
    ``errors``, beside those of the page's other parameters."""
    selection = Selection.from_params(params)
    try:
        upcoming(selection, listing=False)
    except BadFilter as error:
        errors.update(error.errors)
    return selection
