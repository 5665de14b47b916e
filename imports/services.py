"""Writes about imported agendas: adding a source, previewing it, syncing it, pausing it.

A sync reads the source (a conditional GET for an address, then the content's hash: an
unchanged agenda writes no event), then, holding the source's row lock, upserts its
events by (source, UID, RECURRENCE-ID) through ``events/services.py``, so that every rule
of events holds: moderation by the campaign, a sequence raised and registrants told when
the time or the place changes, cancellation with its notices. An event gone from the
source is cancelled, not deleted. A failure leaves every event and the last good version
as they were, and records the error with the next try (exponential backoff).

The events are written with the rights of the source's ``owner``: the organizer who
added the source or last changed its options. Two syncs of one source at once run one
after the other (the row lock); the second finds the content already read and writes
nothing, and a unique constraint on the link keeps each event once whatever happens.

Scans (``imports/tasks.py``) claim a due source with one conditional UPDATE that moves
``next_sync_at`` a lease ahead: a worker that dies mid-sync leaves it due again after
the lease.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from events import services as event_services
from events.models import Event, EventStatus, Theme
from events.selectors import can_organize
from imports.fetch import MAX_BYTES, Fetched, fetch, normalize_url
from imports.models import Source, SourceItem, SourceKind
from imports.programme import read_programme
from imports.reading import Entry, Ignored, Reading, SourceUnreadable, read_ical
from network.models import Organization, Person, Role
from network.selectors import has_role
from worker import wake

logger = logging.getLogger(__name__)

# A claimed source is the claimer's for this long: a sync takes seconds; a worker that
# died leaves the source due again after it.
LEASE = timedelta(minutes=15)
# After a failure the next try waits this long, doubled after each further failure, up to
# BACKOFF_MAX.
BACKOFF_FIRST = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=24)
# The fields a source gives: those of iCal (read-only in Essaim until the event is detached,
# ``events.services.IMPORTED_FIELDS``), and a CSV programme's few more.
SOURCE_FIELDS = (*event_services.IMPORTED_FIELDS, "price_text", "audience", "commune_insee", "format")


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"
    message = _("Seuls les organisateur·rices de la structure gèrent ses agendas importés.")


class OwnerGone(DomainError):
    status = 409
    code = "source_owner_gone"
    message = _("%(person)s, au nom de qui la source se synchronise, n'organise plus pour %(organization)s : "
                "qu'un·e organisateur·rice enregistre les options de la source pour la reprendre.")


class SourceEmptied(SourceUnreadable):
    message = _("L'agenda ne contient plus aucun événement alors qu'il en comptait %(count)s : "
                "rien n'est annulé tant que ce n'est pas confirmé (mettez la source en pause, ou "
                "supprimez-la, si c'est voulu).")


@dataclass
class SyncReport:
    """What a sync (or a preview) found and did."""

    found: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    ignored: list[dict[str, Any]] = field(default_factory=list)
    not_modified: bool = False
    # What was created, changed or cancelled, for people to read (``as_dict`` keeps 200).
    changes: list[dict[str, Any]] = field(default_factory=list)

    def change(self, what: str, event: Event) -> None:
        self.changes.append({"what": what, "title": event.title, "starts_at": event.starts_at.isoformat(),
                             "all_day": event.all_day, "time_zone": event.time_zone})

    def ignore(self, item: Ignored) -> None:
        self.ignored.append({"title": item.title, "row": item.row, "reason": item.reason,
                             "starts_at": item.starts_at.isoformat() if item.starts_at else None})

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ignored"] = self.ignored[:200]
        data["ignored_count"] = len(self.ignored)
        data["changes"] = self.changes[:200]
        return data


# --- checks --------------------------------------------------------------------

def _check_organizer(actor: Person | None, organization: Organization) -> None:
    if not has_role(actor, organization.id, Role.ORGANIZER):
        raise NotAllowed(field="organization")


def _check_upload(kind: str, upload: bytes) -> None:
    if not upload:
        raise ValidationError({"file": _("Joignez le fichier de l'agenda (.ics ou .csv).")})
    if len(upload) > MAX_BYTES:
        raise ValidationError({"file": _("Le fichier dépasse %(mb)s Mo.") % {"mb": MAX_BYTES // 2**20}})
    if kind not in (SourceKind.ICS, SourceKind.CSV):
        raise ValidationError({"kind": _("Un fichier est un agenda .ics ou un programme CSV.")})


def _clean(source: Source) -> None:
    if source.kind == SourceKind.URL:
        source.url = normalize_url(source.url)
        source.upload, source.upload_name = b"", ""
    else:
        source.url = ""
    source.full_clean(exclude=["organization", "owner", "campaign"])


# --- sources ---------------------------------------------------------------------

@transaction.atomic
def source_create(*, actor: Person, organization: Organization, kind: str, name: str = "", url: str = "",
                  upload: bytes = b"", upload_name: str = "", themes: Iterable[Theme] = (),
                  **options: Any) -> Source:
    """Add an agenda to ``organization`` (``actor`` organizes for it). An address is synced
    by the next scan; a file is read when synced (``source_sync``)."""
    _check_organizer(actor, organization)
    if kind != SourceKind.URL:
        _check_upload(kind, upload)
    source = Source(organization=organization, name=(name or "").strip() or upload_name or url,
                    kind=kind, url=url, upload=upload, upload_name=upload_name[:200], owner=actor,
                    **options)
    source.name = source.name[:200]
    _clean(source)
    if kind == SourceKind.URL:
        source.next_sync_at = timezone.now()
    source.save()
    source.themes.set(list(themes))
    return source


@transaction.atomic
def source_update(*, actor: Person, source: Source, themes: Iterable[Theme] | None = None,
                  **changes: Any) -> Source:
    """Change a source's options; ``actor`` becomes the person the sync acts for, and the
    next sync reads the agenda again even if it did not change."""
    source = Source.objects.select_for_update().select_related("organization").get(pk=source.pk)
    _check_organizer(actor, source.organization)
    for name, value in changes.items():
        setattr(source, name, value)
    if "kind" in changes and source.kind != SourceKind.URL and not source.upload:
        raise ValidationError({"kind": _("Une source fichier se crée en téléversant son fichier.")})
    _clean(source)
    source.owner = actor
    source.content_hash, source.etag, source.last_modified = "", "", ""
    if source.kind == SourceKind.URL and not source.paused:
        source.next_sync_at = timezone.now()
    source.save()
    if themes is not None:
        source.themes.set(list(themes))
    return source


@transaction.atomic
def source_pause(*, actor: Person, source: Source, paused: bool) -> Source:
    """Pause a source (its events stay as they are) or resume it (synced by the next scan)."""
    source = Source.objects.select_for_update().select_related("organization").get(pk=source.pk)
    _check_organizer(actor, source.organization)
    source.paused = paused
    source.next_sync_at = None if paused or source.kind != SourceKind.URL else timezone.now()
    source.save(update_fields=["paused", "next_sync_at", "updated_at"])
    return source


@transaction.atomic
def source_delete(*, actor: Person, source: Source) -> int:
    """Delete a source; its events stay, as events organizers edit by hand. Returns how many."""
    source = Source.objects.select_for_update().select_related("organization").get(pk=source.pk)
    _check_organizer(actor, source.organization)
    kept = source.items.count()
    source.delete()
    return kept


@transaction.atomic
def source_upload(*, actor: Person, source: Source, upload: bytes, upload_name: str = "") -> Source:
    """A new version of a file source; the caller syncs it (``source_sync``)."""
    source = Source.objects.select_for_update().select_related("organization").get(pk=source.pk)
    _check_organizer(actor, source.organization)
    _check_upload(source.kind, upload)
    source.upload, source.upload_name, source.owner = upload, upload_name[:200] or source.upload_name, actor
    source.save(update_fields=["upload", "upload_name", "owner", "updated_at"])
    return source


@transaction.atomic
def item_detach(*, actor: Person, event: Event) -> SourceItem:
    """An organizer takes an imported event over: its source no longer changes it, and its
    fields become editable."""
    item = SourceItem.objects.select_for_update().select_related("source__organization", "event").get(
        event=event)
    if not can_organize(actor, item.event):
        raise NotAllowed(_("Seuls les organisateur·rices de l'événement le détachent de sa source."))
    if item.detached_at is None:
        item.detached_at = timezone.now()
        item.save(update_fields=["detached_at"])
    return item


def source_sync_request(*, actor: Person, source: Source) -> None:
    """Sync now (on demand), reading the agenda again even if unchanged: the source becomes
    due and the worker is asked after commit (if the broker is down, the next scan does it)."""
    from imports.tasks import SYNC_SOURCE

    _check_organizer(actor, source.organization)
    if source.kind != SourceKind.URL or source.paused:
        raise ValidationError({"source": _("Seule une adresse d'agenda active se synchronise à la demande.")})
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(next_sync_at=timezone.now(), content_hash="", etag="",
                                                   last_modified="")
        transaction.on_commit(lambda: wake.enqueue(SYNC_SOURCE, (source.pk,), kwargs={"claim": True}))


# --- claiming ----------------------------------------------------------------------

def source_claim(*, source_id: int, now: datetime | None = None) -> bool:
    """Claim a due source for one sync: one conditional UPDATE; False when another worker
    has it, or it is paused, or not due."""
    now = now or timezone.now()
    return bool(Source.objects.filter(pk=source_id, paused=False, kind=SourceKind.URL,
                                      next_sync_at__lte=now).update(next_sync_at=now + LEASE))


def sources_claim_due(*, limit: int = 50) -> list[int]:
    """Claim up to ``limit`` due URL sources; the ids claimed."""
    now = timezone.now()
    due = list(Source.objects.filter(paused=False, kind=SourceKind.URL, next_sync_at__lte=now)
               .order_by("next_sync_at").values_list("pk", flat=True)[:limit])
    return [pk for pk in due if source_claim(source_id=pk, now=now)]


# --- syncing -------------------------------------------------------------------------

def _content(source: Source) -> Fetched:
    if source.kind == SourceKind.URL:
        return fetch(source.url, etag=source.etag, last_modified=source.last_modified)
    return Fetched(url="", body=bytes(source.upload))


def _read(source: Source, body: bytes, now: datetime) -> Reading:
    if source.kind == SourceKind.CSV:
        return read_programme(body, time_zone=source.time_zone, keyword=source.keyword, now=now)
    return read_ical(body, time_zone=source.time_zone, keyword=source.keyword, now=now)


def _draft(source: Source, entry: Entry, themes: list[Theme]) -> dict[str, Any]:
    fields = dict(entry.fields)
    fields.setdefault("format", source.format)
    fields["themes"] = fields.pop("themes", None) or themes
    fields.update(status=EventStatus.PUBLISHED, campaign=source.campaign)
    return fields


def _create(source: Source, actor: Person, entries: list[Entry], report: SyncReport) -> None:
    themes = list(source.themes.all())
    drafts = [_draft(source, entry, themes) for entry in entries]
    results = event_services.events_create_many(actor=actor, organization=source.organization,
                                                drafts=drafts)
    # Dates outside the campaign (or past its submissions) are imported without it.
    outside = [i for i, r in enumerate(results) if isinstance(r, event_services.OutsideCampaign
                                                              | event_services.SubmissionsClosed)]
    if outside:
        again = event_services.events_create_many(
            actor=actor, organization=source.organization,
            drafts=[{**drafts[i], "campaign": None} for i in outside])
        for i, result in zip(outside, again, strict=True):
            results[i] = result
    links = []
    for entry, result in zip(entries, results, strict=True):
        if isinstance(result, Event):
            links.append(SourceItem(source=source, uid=entry.uid, recurrence_key=entry.recurrence_key,
                                    event=result, digest=entry.digest))
            report.change("created", result)
        else:
            report.ignore(Ignored(entry.fields["title"], entry.fields["starts_at"], _refusal(result),
                                  entry.row))
    SourceItem.objects.bulk_create(links)
    report.created = len(links)


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return " ".join(f"{name} : {' '.join(messages)}" for name, messages in error.message_dict.items())
        return " ".join(error.messages)
    return str(error)


def _apply(source: Source, reading: Reading, now: datetime) -> SyncReport:
    """Bring the source's events in line with ``reading`` (the caller holds the source lock)."""
    actor = source.owner
    if actor is None or not has_role(actor, source.organization_id, Role.ORGANIZER):
        raise OwnerGone(person=actor.get_full_name() if actor else gettext("personne"),
                        organization=source.organization.name)
    report = SyncReport(found=reading.found)
    for ignored in reading.ignored:
        report.ignore(ignored)
    items = {(i.uid, i.recurrence_key): i for i in source.items.select_related("event__campaign")}
    live = sum(1 for i in items.values() if i.detached_at is None and i.event.ends_at > now
               and i.event.status != EventStatus.CANCELLED)
    if not reading.found and live:
        raise SourceEmptied(count=live)
    new: list[Entry] = []
    for entry in reading.entries:
        item = items.pop(entry.key, None)
        if item is None:
            if entry.cancelled:
                report.ignore(Ignored(entry.fields["title"], entry.fields["starts_at"],
                                      gettext("annulé dans l'agenda d'origine")))
            else:
                new.append(entry)
            continue
        if item.detached_at is not None or item.digest == entry.digest:
            report.unchanged += 1
            continue
        event = item.event
        if event.status == EventStatus.CANCELLED:
            report.ignore(Ignored(entry.fields["title"], entry.fields["starts_at"],
                                  gettext("annulé dans Essaim")))
            continue
        try:
            with transaction.atomic():
                if entry.cancelled:
                    event = event_services.event_cancel(actor=actor, event=event, reason=gettext(
                        "Annulé dans l'agenda d'origine (%(source)s).") % {"source": source.name})
                    report.cancelled += 1
                    report.change("cancelled", event)
                else:
                    changes = {name: value for name, value in entry.fields.items()
                               if name in SOURCE_FIELDS and getattr(event, name) != value}
                    event = event_services.event_update(actor=actor, event=event, by_source=True, **changes)
                    report.updated += 1
                    report.change("updated", event)
        except (DomainError, ValidationError) as error:
            report.ignore(Ignored(entry.fields["title"], entry.fields["starts_at"], _refusal(error)))
            continue
        item.digest = entry.digest
        item.save(update_fields=["digest"])
    for item in items.values():
        event = item.event
        if item.detached_at is not None or event.status == EventStatus.CANCELLED or event.ends_at <= now:
            continue
        event = event_services.event_cancel(actor=actor, event=event, reason=gettext(
            "Retiré de l'agenda d'origine (%(source)s).") % {"source": source.name})
        report.cancelled += 1
        report.change("cancelled", event)
    if new:
        _create(source, actor, new, report)
    return report


def _backoff(failures: int) -> timedelta:
    return min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_MAX)


def _record_failure(source_id: int, error: Exception, now: datetime) -> None:
    if isinstance(error, DomainError):
        text = error.detail
    elif isinstance(error, ValidationError):
        text = _refusal(error)
    else:
        text = gettext("Erreur interne pendant la lecture.")
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source_id)
        source.failures += 1
        source.last_error, source.last_error_at, source.last_checked_at = text[:2000], now, now
        if source.kind == SourceKind.URL and not source.paused:
            source.next_sync_at = now + _backoff(source.failures)
        source.save(update_fields=["failures", "last_error", "last_error_at", "last_checked_at",
                                   "next_sync_at", "updated_at"])


def _record_success(source: Source, now: datetime, fetched: Fetched, digest: str) -> None:
    source.failures, source.last_error = 0, ""
    source.last_checked_at = source.last_success_at = now
    if fetched.body is not None:
        source.etag, source.last_modified, source.content_hash = fetched.etag, fetched.last_modified, digest
    if source.kind == SourceKind.URL and not source.paused:
        source.next_sync_at = now + timedelta(minutes=source.interval_minutes)
    source.save(update_fields=["failures", "last_error", "last_checked_at", "last_success_at", "etag",
                               "last_modified", "content_hash", "next_sync_at", "last_report", "updated_at"])


def source_sync(*, source_id: int, force: bool = False) -> SyncReport:
    """Read the source and bring its events in line; the report of what was done.

    An agenda unchanged since the last sync (304, or the same bytes) writes no event
    unless ``force``. A failure raises the ``DomainError`` or ``ValidationError`` after
    recording it on the source (last error, next try); nothing else is changed.
    """
    now = timezone.now()
    source = Source.objects.get(pk=source_id)
    try:
        fetched = _content(source)
        with transaction.atomic():
            source = (Source.objects.select_for_update(of=("self",))
                      .select_related("organization", "campaign", "owner").get(pk=source_id))
            digest = hashlib.sha256(fetched.body).hexdigest() if fetched.body is not None else ""
            if fetched.body is None or (digest == source.content_hash and not force):
                report = SyncReport(not_modified=True, unchanged=source.last_report.get("found", 0))
                _record_success(source, now, fetched, digest or source.content_hash)
                return report
            report = _apply(source, _read(source, fetched.body, now), now)
            source.last_report = report.as_dict()
            _record_success(source, now, fetched, digest)
    except Exception as error:
        _record_failure(source_id, error, now)
        if not isinstance(error, DomainError | ValidationError):
            logger.exception("imports: source %s failed", source_id)
        raise
    return report


class _Preview(Exception):
    def __init__(self, report: SyncReport) -> None:
        self.report = report


def source_preview(*, actor: Person, organization: Organization | None = None, source: Source | None = None,
                   upload: bytes | None = None, upload_name: str = "", **fields: Any) -> SyncReport:
    """What a sync would do, computed by doing it in a transaction that is then rolled back:
    every rule answers, and nothing stays (no event, no message, no error recorded).

    Without ``source``: adding a source with ``fields`` (and ``upload``) to ``organization``.
    With it: syncing it now, with ``upload`` as its new file when given.
    """
    try:
        with transaction.atomic():
            if source is None:
                assert organization is not None, "a new source needs its organization"
                source = source_create(actor=actor, organization=organization, upload=upload or b"",
                                       upload_name=upload_name, **fields)
            else:
                _check_organizer(actor, source.organization)
                if upload is not None:
                    source_upload(actor=actor, source=source, upload=upload, upload_name=upload_name)
                Source.objects.filter(pk=source.pk).update(etag="", last_modified="")
            raise _Preview(source_sync(source_id=source.pk, force=True))
    except _Preview as preview:
        return preview.report


def summary(report: dict[str, Any]) -> str:
    """« 12 événements trouvés, 3 nouveaux, 1 modifié, 2 ignorés » from a report (``as_dict``)."""
    found, ignored = report.get("found", 0), report.get("ignored_count", len(report.get("ignored", [])))
    created, updated, cancelled = (report.get(name, 0) for name in ("created", "updated", "cancelled"))
    parts = [ngettext("%(n)s événement trouvé", "%(n)s événements trouvés", found) % {"n": found},
             ngettext("%(n)s nouveau", "%(n)s nouveaux", created) % {"n": created},
             ngettext("%(n)s modifié", "%(n)s modifiés", updated) % {"n": updated}]
    if cancelled:
        parts.append(ngettext("%(n)s annulé", "%(n)s annulés", cancelled) % {"n": cancelled})
    parts.append(ngettext("%(n)s ignoré", "%(n)s ignorés", ignored) % {"n": ignored})
    return ", ".join(parts)

