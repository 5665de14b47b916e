"""The outbox: every message Essaim must send is a row before it is a task.

A row is written in the same transaction as the change that calls for it, so a
message is never lost when the broker is down; the broker only wakes the
worker sooner. ``key`` is unique and deterministic, so recording the same
message twice is a no-op and its Message-ID is stable.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    key = models.CharField(_("clé"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=50)
    to = models.EmailField(_("destinataire"))
    language = models.CharField(_("langue"), max_length=5, default="fr")
    subject = models.CharField(_("objet"), max_length=300)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    essential = models.BooleanField(_("essentiel"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the message needs no more work: sent, or suppressed (see below).
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    # Not sent because the recipient stopped non-essential notices.
    suppressed = models.BooleanField(_("non envoyé (désabonnement)"), default=False)
    # While in the future, the message is not due: a worker is sending it (its lease), or
    # the last attempt failed and the next one waits (backoff).
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True),
                         name="message_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}"


class NotificationPreference(models.Model):
    """What an address accepts. Keyed by address, not account, because messages go to
    addresses and the one-click unsubscribe link must work without logging in."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    non_essential = models.BooleanField(_("avis non essentiels"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self) -> str:
        return self.email
