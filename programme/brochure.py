"""The printed programme: a PDF of an agenda selection, built by the worker with WeasyPrint.

Events are numbered in the order they are printed (days, then communes, then times), and the
indexes by theme and by organization give those numbers: a reader finds n° 1234 by leafing, as
in a dictionary, and no page number has to be known before the whole document is laid out.
That is what lets a large brochure be laid out in parts, one WeasyPrint process per core, each
part a run of whole days (every day starts a page), joined into one file afterwards with
pikepdf. Each part runs in its own process also so that the worker does not keep the layout's
memory.

A brochure is keyed by its selection, page size and language. It is served while the
events of its selection still give the fingerprint it was built from (one query per
download); otherwise the worker is asked to rebuild it, at most once per
``REBUILD_AFTER`` while a build is pending, and the visitor is told to come back in a
moment.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import pikepdf
import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import Image

from backend.links import absolute_url
from events.models import Event
from programme.models import Brochure
from programme.places import commune_label, geocoded_for, place_of
from programme.selectors import Selection, describe, fingerprint, upcoming
from programme.typography import NBSP, dictionary_order, french

logger = logging.getLogger(__name__)

SIZES = ("a4", "a5")
SUMMARY_MAX = 280
# A build requested but not stored this long ago is requested again (a lost wake-up, a crash).
REBUILD_AFTER = timedelta(minutes=5)
# A brochure built this long ago is thrown away (a download builds it again): what is read is
# rebuilt as its events change, so what stayed this long unchanged is mostly what nobody reads.
FORGET_AFTER = timedelta(days=30)
# A part is worth its own process from this many events on; below, the process costs more
# than it saves.
EVENTS_PER_PART = 150
# A part still being laid out after this long is stopped, and the build fails (and is asked
# again by the periodic scan).
PART_TIMEOUT = 15 * 60


def printed_events(selection: Selection, *, listing: bool = True):
    """The events a brochure of ``selection`` prints: published (not cancelled) and still to
    come, in order. A printed programme is for going to events, so a past campaign's has none."""
    return upcoming(selection, include_cancelled=False, listing=listing)


def brochure_printable(selection: Selection) -> bool:
    """Whether a brochure of ``selection`` would print anything (one query)."""
    return printed_events(selection, listing=False).exists()


@dataclass(frozen=True)
class BrochureSpec:
    selection: Selection
    size: str
    language: str

    @property
    def key(self) -> str:
        return f"{self.size}:{self.language}:{self.selection.query}"

    @classmethod
    def from_key(cls, key: str) -> BrochureSpec:
        size, language, query = key.split(":", 2)
        return cls(Selection.from_params(dict(parse_qsl(query))), size, language)

    def events(self):
        """The events it prints, in order: see :func:`printed_events`."""
        return printed_events(self.selection)

    def current_fingerprint(self) -> str:
        return fingerprint(printed_events(self.selection, listing=False), "brochure", self.key)

    def filename(self) -> str:
        slug = "-".join(value for _name, value in self.selection.filters) or "agenda"
        return f"programme-{slug}-{self.size}.pdf"


def _summary(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SUMMARY_MAX:
        return text
    return text[:SUMMARY_MAX].rsplit(" ", 1)[0] + "…"


def qr_data_uri(url: str) -> str:
    """A PNG QR code of ``url``: medium error correction, the standard's quiet zone, one pixel
    per module (the PDF scales it, sharp). Mask 0 rather than the best-scoring one: any mask
    is valid and scanners read it, and scoring the eight masks costs five times the encoding,
    which a brochure of thousands of events feels."""
    matrix = segno.make(url, error="m", mask=0).matrix
    border = 4
    side = len(matrix) + 2 * border
    image = Image.new("1", (side, side), 1)
    image.putdata([0 if (border <= y < side - border and border <= x < side - border
                         and matrix[y - border][x - border]) else 1
                   for y in range(side) for x in range(side)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def brochure_context(spec: BrochureSpec, events: list[Event]) -> dict[str, Any]:
    """Days, then communes within a day, then events, numbered in that order; and the indexes
    by theme and organization, which give those numbers. A QR code is drawn when its event is
    rendered (``qr`` is a callable), so that each part draws its own."""
    typo = french if spec.language == "fr" else (lambda text: text)
    geocoded = geocoded_for(events)
    days: dict[date, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        place = place_of(event, geocoded)
        url = absolute_url(event.get_absolute_url())
        organizers = [event.organization, *event.co_organizers.all()]
        entry: dict[str, Any] = {
            "event": event,
            "title": typo(event.title),
            "place": typo(", ".join(filter(None, [place.name, place.street]))),
            "online": bool(event.online_url),
            "organizers": typo(", ".join(o.name for o in organizers)),
            "organizer_names": [o.name for o in organizers],
            "format": event.get_format_display(),
            "price": typo(event.price_text),
            "summary": typo(_summary(event.description)),
            "url": url,
            "qr": partial(qr_data_uri, url),
        }
        day = event.starts_at.astimezone(event.zone).date()
        days[day][commune_label(place)].append(entry)
    ordered = [(day, sorted(communes.items(), key=lambda item: dictionary_order(item[0])))
               for day, communes in sorted(days.items())]
    by_theme: dict[str, list[int]] = defaultdict(list)
    by_organization: dict[str, list[int]] = defaultdict(list)
    number = 0
    for _day, communes in ordered:
        for _commune, entries in communes:
            for entry in entries:
                number += 1
                entry["number"] = number
                for theme in entry["event"].themes.all():
                    by_theme[theme.name].append(number)
                for name in entry["organizer_names"]:
                    by_organization[name].append(number)
    title, subtitle = describe(spec.selection)
    return {
        "title": typo(title),
        "subtitle": subtitle,
        "size": spec.size,
        "days": ordered,
        "first_day": min(days) if days else None,
        "last_day": max(days) if days else None,
        "count": len(events),
        "colon": f"{NBSP}: " if spec.language == "fr" else ": ",
        "themes": _index(by_theme, typo),
        "organizations": _index(by_organization, typo),
        "site_url": settings.SITE_URL,
        "agenda_url": _agenda_url(spec.selection),
        # In parts a line may end after: its query's "?" and each "&" start one.
        "agenda_printed": re.split(r"(?=[?&])", readable_url(_agenda_url(spec.selection))),
    }


def _agenda_url(selection: Selection) -> str:
    """The agenda showing what the brochure prints, kept current: where its reader registers."""
    return absolute_url(selection.agenda_path)


# Characters left escaped when an address is shown (with spaces and control characters):
# unescaped, they would change its query or end it.
_MEANINGFUL = frozenset("%&+=#")


def readable_url(url: str) -> str:
    """``url`` as a reader reads and types it, as a browser's address bar shows it:
    "territory=Provence-Alpes-Côte+d'Azur", not "C%C3%B4te+d%27Azur". It leads to the same page."""
    def decode(escapes: re.Match[str]) -> str:
        return "".join(character if character.isprintable() and not character.isspace()
                       and character not in _MEANINGFUL else quote(character)
                       for character in unquote(escapes[0]))
    return re.sub(r"(?:%[0-9A-Fa-f]{2})+", decode, url)


def _index(numbers_by_name: dict[str, list[int]], typo) -> list[tuple[str, str]]:
    return [(typo(name), ", ".join(str(number) for number in numbers))
            for name, numbers in sorted(numbers_by_name.items(), key=lambda item: dictionary_order(item[0]))]


def _parts(days: list, count: int) -> list[list]:
    """``days`` cut into at most ``count`` runs of whole days with about as many events each."""
    sizes = [sum(len(entries) for _commune, entries in communes) for _day, communes in days]
    share = sum(sizes) / count if count else 0
    parts: list[list] = [[]]
    done = 0
    for day, size in zip(days, sizes, strict=True):
        if parts[-1] and done >= share * len(parts):
            parts.append([])
        parts[-1].append(day)
        done += size
    return parts


def _processes(events: int) -> int:
    cores = settings.BROCHURE_PROCESSES or len(os.sched_getaffinity(0))
    return max(1, min(cores, events // EVENTS_PER_PART))


def render_pdf(spec: BrochureSpec, events: list[Event]) -> bytes:
    """The brochure's PDF: its parts laid out at once, each by a WeasyPrint process (its
    command line), the cover in the first and the indexes in the last. Each part's HTML is
    written (and its QR codes drawn) while the parts before it are already being laid out."""
    with translation.override(spec.language), tempfile.TemporaryDirectory() as folder:
        context = brochure_context(spec, events)
        parts = _parts(context["days"], _processes(len(events)))
        running = []
        try:
            for n, days in enumerate(parts):
                source, target, log = (Path(folder) / f"{n}.{suffix}" for suffix in ("html", "pdf", "log"))
                source.write_text(render_to_string("programme/brochure.html", {
                    **context, "days": days, "cover": n == 0, "indexes": n == len(parts) - 1}))
                with log.open("wb") as errors:
                    running.append((subprocess.Popen(  # noqa: S603 - our interpreter, our files
                        [sys.executable, "-m", "weasyprint", "--quiet", "--base-url", settings.SITE_URL,
                         str(source), str(target)], stdout=subprocess.DEVNULL, stderr=errors), target, log))
            for process, _target, log in running:
                if process.wait(timeout=PART_TIMEOUT) != 0:
                    raise RuntimeError(f"WeasyPrint failed on a part of {spec.key}: "
                                       f"{log.read_text(errors='replace')[-2000:]}")
        finally:
            for process, _target, _log in running:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        whole = pikepdf.Pdf.new()
        opened = [pikepdf.Pdf.open(target) for _process, target, _log in running]
        for part in opened:
            whole.pages.extend(part.pages)
        whole.docinfo["/Title"] = context["title"]
        output = io.BytesIO()
        whole.save(output)
        for part in opened:
            part.close()
        return output.getvalue()


def brochure_build(*, key: str) -> Brochure:
    """Build the brochure ``key`` and store it with the fingerprint its events had before the
    build: an edit made meanwhile changes the fingerprint, so the next download rebuilds."""
    spec = BrochureSpec.from_key(key)
    current = spec.current_fingerprint()
    events = list(spec.events())
    pdf = render_pdf(spec, events)
    brochure, _created = Brochure.objects.get_or_create(key=key)
    brochure.pdf = pdf
    brochure.fingerprint = current
    brochure.event_count = len(events)
    brochure.built_at = timezone.now()
    brochure.requested_at = None
    brochure.save()
    return brochure


def brochure_current(spec: BrochureSpec) -> Brochure | None:
    """The stored brochure of ``spec`` if its events have not changed since it was built."""
    current = spec.current_fingerprint()
    return Brochure.objects.filter(key=spec.key, fingerprint=current).exclude(pdf=b"").first()


def brochure_asked_before(spec: BrochureSpec) -> bool:
    """Whether anyone asked for ``spec``'s brochure before (built, or being built)."""
    return Brochure.objects.filter(key=spec.key).exists()


def brochure_request(spec: BrochureSpec) -> bool:
    """Ask the worker to build ``spec``'s brochure; False if a build is already pending.

    A conditional UPDATE claims the request: of many downloads at once, one enqueues."""
    from programme.tasks import build_brochure

    now = timezone.now()
    Brochure.objects.get_or_create(key=spec.key)
    claimed = Brochure.objects.filter(
        Q(requested_at__isnull=True) | Q(requested_at__lt=now - REBUILD_AFTER), key=spec.key,
    ).update(requested_at=now)
    if claimed:
        transaction.on_commit(lambda: _enqueue(build_brochure, spec.key))
    return bool(claimed)


def _enqueue(task, key: str) -> None:
    try:
        task.apply_async(args=[key], retry=False)
    except Exception as exc:  # broker down: the periodic scan builds it
        logger.warning("programme: could not enqueue the brochure %s (%s); the periodic scan will", key, exc)


def brochures_build_requested(*, now: datetime | None = None) -> int:
    """The safety net: build the brochures requested a while ago and still not built (a lost
    wake-up, a restarted worker). One whose build fails is logged and no longer waited for,
    so that it neither blocks the others nor is retried every few minutes: the next
    download asks again. Returns how many were tried."""
    late = (now or timezone.now()) - REBUILD_AFTER / 2
    keys = list(Brochure.objects.filter(requested_at__lt=late).values_list("key", flat=True)[:20])
    for key in keys:
        try:
            brochure_build(key=key)
        except Exception:
            logger.exception("programme: the brochure %s could not be built; given up until asked again", key)
            Brochure.objects.filter(key=key).update(requested_at=None)
    return len(keys)


def brochures_forget(*, now: datetime | None = None) -> int:
    """Delete the brochures built more than :data:`FORGET_AFTER` ago, and those never built
    that nobody waits for; none being built. Returns how many were deleted."""
    old = Q(built_at__lt=(now or timezone.now()) - FORGET_AFTER) | Q(built_at__isnull=True)
    deleted, _by_model = Brochure.objects.filter(old, requested_at__isnull=True).delete()
    return deleted
