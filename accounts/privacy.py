"""Invitations in a person's data export and erasure."""

from __future__ import annotations

from accounts import services
from accounts.models import Invitation, InvitationStatus
from network.models import Person
from network.privacy import moment


def _line(invitation: Invitation) -> dict:
    return {"email": invitation.email,
            "organization": invitation.organization.slug if invitation.organization else None,
            "role": invitation.role or None, "pass": invitation.held_pass_id,
            "status": invitation.status, "created_at": moment(invitation.created_at),
            "accepted_at": moment(invitation.accepted_at)}


def export(person: Person) -> dict:
    invitations = Invitation.objects.select_related("organization", "held_pass")
    received = invitations.filter(email__iexact=person.email)
    sent = invitations.filter(invited_by=person)
    return {"invitations_received": [_line(i) for i in received],
            "invitations_sent": [_line(i) for i in sent]}


def erase(person: Person) -> None:
    """Delete the invitations addressed to the person; a pass still waiting for them is revoked,
    as their passes are. Invitations they sent stay, without their name, for the invited."""
    for invitation in Invitation.objects.filter(email__iexact=person.email):
        if invitation.held_pass_id and invitation.status == InvitationStatus.PENDING:
            services.invitation_revoke(invitation=invitation)
        invitation.delete()
