"""What the programme keeps to publish the agenda outside Essaim's own pages.

Each row is derived data that can be thrown away and rebuilt: a printed
brochure, an address's coordinates from the national address API, the date an
event had before it was moved.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event


class Brochure(models.Model):
    """The PDF of one agenda filter in one page size, with the fingerprint of the events it
    was built from: it is served while the filter's events still give that fingerprint."""

    key = models.CharField(_("clé"), max_length=300, unique=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    pdf = models.BinaryField(_("PDF"), default=b"")
    event_count = models.PositiveIntegerField(_("événements"), default=0)
    built_at = models.DateTimeField(_("construite le"), null=True, blank=True)
    # Set when the worker is asked to (re)build; cleared when it stores the PDF.
    requested_at = models.DateTimeField(_("demandée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("brochure")
        verbose_name_plural = _("brochures")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class GeocodedAddress(models.Model):
    """One address as the national address API read it; ``found`` is False when it did not."""

    query = models.CharField(_("adresse"), max_length=300, unique=True)
    found = models.BooleanField(_("trouvée"), default=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    citycode = models.CharField(_("code INSEE"), max_length=5, blank=True)
    looked_up_at = models.DateTimeField(_("consultée le"), auto_now=True)

    class Meta:
        verbose_name = _("adresse géocodée")
        verbose_name_plural = _("adresses géocodées")
        ordering = ["query"]

    def __str__(self) -> str:
        return self.query


class Rescheduled(models.Model):
    """The start a published event had when it was first moved (schema.org previousStartDate)."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="rescheduled")
    previous_starts_at = models.DateTimeField(_("début prévu"))
    moved_at = models.DateTimeField(_("déplacé le"), auto_now=True)

    class Meta:
        verbose_name = _("événement déplacé")
        verbose_name_plural = _("événements déplacés")

    def __str__(self) -> str:
        return str(self.event)
