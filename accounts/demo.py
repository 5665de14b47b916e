"""Demo data: one pending invitation, so that the members page and the invitations API show one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from accounts import services
from accounts.models import Invitation
from network.models import Membership, Organization, Person, Role

INVITED = "nouvelle.recrue@apes.demo"


def load(*, today: date, log: Callable[[str], None]) -> None:
    apes = Organization.objects.get(slug="apes")
    if (Invitation.objects.filter(organization=apes, email=INVITED, role=Role.ORGANIZER).exists()
            or Membership.objects.filter(organization=apes, person__email=INVITED).exists()):
        return
    services.invitation_create(inviter=Person.objects.get(email="organisation@apes.demo"),
                               organization=apes, email=INVITED, role=Role.ORGANIZER)
    log(f"invitation en attente : {INVITED} (organisateur·rice, APES)")
