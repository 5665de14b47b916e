"""Invitations: to a role in an organization, or to take a pass sold to an address with no
account yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.models import Organization, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REVOKED = "revoked", _("Révoquée")
    EXPIRED = "expired", _("Expirée")


class Invitation(models.Model):
    """An invitation sent to ``email``; its link carries a secret of which only the hash is kept.

    Either a role (``organization`` and ``role``), given on acceptance, or a pass sold to an
    address with no verified account (``held_pass``, issued at the sale without a holder), handed
    over on acceptance.
    """

    email = models.EmailField(_("adresse e-mail"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="invitations")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, blank=True)
    held_pass = models.OneToOneField("passes.Pass", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="invitation")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="invitations_sent")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="invitation_role_or_pass",
                condition=(models.Q(organization__isnull=False, held_pass__isnull=True) & ~models.Q(role=""))
                | models.Q(organization__isnull=True, role="", held_pass__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.organization or self.held_pass}"

    @property
    def status(self) -> str:
        from passes.models import PassStatus

        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        # A pass revoked at the desk before its buyer took it closes its invitation too.
        if self.revoked_at or (self.held_pass is not None and self.held_pass.status == PassStatus.REVOKED):
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> StrPromise:
        return InvitationStatus(self.status).label
