"""A person's data: export it (GDPR articles 15 and 20) and erase it (article 17).

Each app that holds personal data has ``<app>/privacy.py`` with
``export(person) -> dict`` and ``erase(person) -> None``. Erasure cancels what
is still running through the owning services (a freed seat goes to the
waitlist), anonymizes what other people's records need (past attendance,
settlement between spaces) and deletes the rest, then the account itself.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from backend.modules import app_modules
from network.models import Membership, Person, Role


def moment(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """A moment of the export as the API writes moments: at the site's time (Europe/Paris),
    or in ``zone`` (an event's or a space's own)."""
    if value is None:
        return None
    return timezone.localtime(value, zone).isoformat()


class LastAdminOfOrganization(DomainError):
    code = "last_admin"
    message = _("Vous êtes le ou la dernière administrateur·rice de %(names)s : "
                "transmettez ce rôle avant de supprimer votre compte.")


def export(person: Person) -> dict:
    data = {
        "exported_at": moment(timezone.now()),
        "account": {
            "email": person.email, "full_name": person.full_name, "language": person.language,
            "date_joined": moment(person.date_joined),
            "last_login": moment(person.last_login),
        },
        "roles": [
            {"organization": m.organization.slug, "role": m.role}
            for m in person.memberships.select_related("organization")
        ],
    }
    for config, module in app_modules("privacy"):
        if module.__name__ != __name__:
            data[config.label] = module.export(person)
    return data


@transaction.atomic
def person_erase(*, person: Person) -> None:
    """Erase ``person`` and their personal data; refused while they alone administer
    an organization."""
    alone = [
        m.organization.name
        for m in Membership.objects.filter(person=person, role=Role.ADMIN).select_related("organization")
        if not Membership.objects.filter(organization=m.organization, role=Role.ADMIN)
        .exclude(person=person).exists()
    ]
    if alone:
        raise LastAdminOfOrganization(names=", ".join(alone))
    for _config, module in app_modules("privacy"):
        if module.__name__ != __name__:
            module.erase(person)
    person.delete()
