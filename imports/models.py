"""Agendas an organization already keeps elsewhere, imported into the shared agenda.

A :class:`Source` is an iCal address (kept in sync by the worker) or an uploaded ``.ics``
or CSV programme (synced when uploaded again). Each event read from it is linked to the
Essaim event it became by a :class:`SourceItem`, keyed by the source's UID and
RECURRENCE-ID: the link is how a later sync finds the event to update or cancel. Rules
live in ``imports/services.py``; the events themselves are written by ``events/services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.validators import single_line
from events.models import Campaign, Event, EventFormat, Theme
from network.models import Organization
from spaces.models import validate_time_zone


class SourceKind(models.TextChoices):
    URL = "url", _("Adresse d'agenda (iCal)")
    ICS = "ics", _("Fichier .ics")
    CSV = "csv", _("Programme CSV")


class Source(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="import_sources",
                                     verbose_name=_("structure"))
    name = models.CharField(_("nom"), max_length=200, validators=[single_line])
    kind = models.CharField(_("type"), max_length=3, choices=SourceKind.choices)
    url = models.CharField(_("adresse de l'agenda"), max_length=2000, blank=True, validators=[single_line])
    # The last uploaded file (ICS and CSV sources): a sync reads it again.
    upload = models.BinaryField(_("fichier"), blank=True, default=b"", editable=False)
    upload_name = models.CharField(_("nom du fichier"), max_length=200, blank=True)

    format = models.CharField(_("format par défaut"), max_length=20, choices=EventFormat.choices,
                              default=EventFormat.AUTRE)
    themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name=_("thèmes"))
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("proposer à la campagne"))
    keyword = models.CharField(
        _("mot-clé"), max_length=100, blank=True, validators=[single_line],
        help_text=_("Seuls les événements dont le titre ou les catégories le contiennent sont importés."))
    time_zone = models.CharField(
        _("fuseau horaire"), max_length=64, default="Europe/Paris", validators=[validate_time_zone],
        help_text=_("Celui de la structure : les heures sans fuseau de l'agenda y sont lues."))
    interval_minutes = models.PositiveIntegerField(
        _("synchroniser toutes les (minutes)"), default=60,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)])
    # Whose rights the sync uses: the organizer who added the source or last changed it.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("au nom de"))
    paused = models.BooleanField(_("en pause"), default=False)

    # The last version read (conditional GET, then the content's hash).
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    last_checked_at = models.DateTimeField(_("dernière vérification"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("dernière synchronisation réussie"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    last_error_at = models.DateTimeField(_("dernière erreur le"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0)
    # When the scan syncs the source next (URL sources that are not paused). A claim moves it
    # forward by a lease: see ``imports/services.py``.
    next_sync_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    last_report = models.JSONField(_("dernier bilan"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agenda importé")
        verbose_name_plural = _("agendas importés")
        ordering = ["organization__name", "name", "id"]
        indexes = [
            models.Index(fields=["next_sync_at"], condition=Q(paused=False, kind="url"),
                         name="source_due_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class SourceItem(models.Model):
    """One event of a source (its UID, and RECURRENCE-ID for one date of a recurring event)
    and the Essaim event it became.

    ``digest`` is the hash of what was read last: an unchanged item writes nothing.
    ``detached_at``: an organizer took the event over by hand; the source no longer
    touches it.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items")
    uid = models.CharField(max_length=500)
    # RECURRENCE-ID as ISO text (UTC moment or date); empty for a single event.
    recurrence_key = models.CharField(max_length=40, blank=True)
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="import_item")
    digest = models.CharField(max_length=64)
    detached_at = models.DateTimeField(_("détaché le"), null=True, blank=True)

    class Meta:
        verbose_name = _("événement importé")
        verbose_name_plural = _("événements importés")
        constraints = [
            models.UniqueConstraint(fields=["source", "uid", "recurrence_key"], name="source_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.uid} {self.recurrence_key}".strip()
