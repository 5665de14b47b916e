"""Figures the worker computed, kept so that the observatory's pages read stored results.

A snapshot is derived data: it can be thrown away and computed again from the events,
organizations, registrations and visits it was made from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Snapshot(models.Model):
    """The figures of one kind (campaign figures, cooperations, coworking flows) for one key
    (what they are about: a campaign, a filter, a network), as computed at ``computed_at``."""

    kind = models.CharField(_("sorte"), max_length=40)
    key = models.CharField(_("clé"), max_length=300)
    data = models.JSONField(_("données"), default=dict)
    # The shape ``data`` was computed in (the kind's ``version`` in observatory/snapshots.py).
    version = models.PositiveSmallIntegerField(_("version"), default=0)
    computed_at = models.DateTimeField(_("calculé le"), null=True, blank=True)
    # Set when someone asks for fresh figures; cleared when the worker stores them.
    requested_at = models.DateTimeField(_("demandé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("instantané")
        verbose_name_plural = _("instantanés")
        ordering = ["kind", "key"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="snapshot_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
