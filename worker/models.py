"""The outbox: every message Essaim must send is a row before it is a task.

A row is written in the same transaction as the change that calls for it, so a
message is never lost when the broker is down; the broker only wakes the
worker sooner. ``key`` is unique and deterministic, so recording the same
message twice is a no-op and its Message-ID is stable.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# After this many failed attempts a message stays unsent for a person to look at (admin,
# /healthz "abandoned"); with the outbox's backoff that is about two days of retries.
MAX_ATTEMPTS = 48
# An attempt whose outcome is unknown (the server may hold the message) is followed by one
# more, after a long delay; after a second one, a person decides (admin, /healthz "unknown").
MAX_UNKNOWN = 2


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
    # Attempts that ended without knowing whether the server accepted the message: the
    # answer to its body never came, or the worker stopped while sending it.
    unknown_outcomes = models.PositiveSmallIntegerField(_("issues inconnues"), default=0)
    # Set while a worker sends the message, cleared with the outcome: still set when the
    # message is claimed again, the last attempt ended unrecorded (an unknown outcome).
    sending_since = models.DateTimeField(null=True, blank=True)
    # What the message depends on (e.g. ``{"registration": 42, "sequence": 3}``), checked
    # just before sending by the condition its app registered for its kind.
    depends_on = models.JSONField(_("dépend de"), default=dict, blank=True)
    # Not sent because what it depended on no longer holds (a cancelled registration…).
    dropped_reason = models.CharField(_("non envoyé, car"), max_length=300, blank=True)

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

    @property
    def state(self) -> str:
        """Where the message stands, in words (the admin's list)."""
        if self.suppressed:
            return str(_("non envoyé (désabonnement)"))
        if self.sent_at is not None:
            return str(_("envoyé"))
        if self.dropped_reason:
            return str(_("non envoyé : ne s'applique plus"))
        if self.unknown_outcomes >= MAX_UNKNOWN:
            return str(_("issue inconnue : à décider"))
        if self.unknown_outcomes:
            return str(_("issue inconnue : un dernier essai est prévu"))
        if self.attempts >= MAX_ATTEMPTS:
            return str(_("échec : abandonné"))
        return str(_("à envoyer"))


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
