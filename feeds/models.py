"""Published calendar feeds and the secret tokens of personal feeds.

A feed is built by the worker and stored here with its ETag, so a request
serves stored bytes and never rebuilds a whole calendar.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedFeed(models.Model):
    """The current bytes of one feed (``events``, ``organization:apes``, ``person:12``…)."""

    key = models.CharField(_("clé"), max_length=200, unique=True)
    body = models.BinaryField(_("contenu"))
    gzip_body = models.BinaryField(_("contenu compressé"))
    etag = models.CharField(max_length=80)
    last_modified = models.DateTimeField(_("dernière modification"))
    built_at = models.DateTimeField(_("construit le"), auto_now=True)
    stale_since = models.DateTimeField(_("à republier depuis"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda publié")
        verbose_name_plural = _("agendas publiés")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class CalendarToken(models.Model):
    """The secret of a person's private feed URL; only its SHA-256 is stored."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("jeton d'agenda personnel")
        verbose_name_plural = _("jetons d'agenda personnel")

    def __str__(self) -> str:
        return str(self.person)


class EventEntry(models.Model):
    """One event's VEVENT as last serialized, reused by every feed holding the event.

    Keyed by the event's id rather than a foreign key: the feeds only cache what
    the events app owns, and a stale row is simply re-serialized.
    """

    event_id = models.BigIntegerField(unique=True)
    version = models.CharField(max_length=80)
    vevent = models.BinaryField()

    class Meta:
        verbose_name = _("VEVENT sérialisé")
        verbose_name_plural = _("VEVENT sérialisés")

    def __str__(self) -> str:
        return f"event {self.event_id} v{self.version}"
