"""Writes about organizations and roles."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from network.models import Membership, Organization, Person, Role


class LastAdmin(DomainError):
    code = "last_admin"
    message = _("Une structure garde au moins un·e administrateur·rice.")


class MembershipExists(DomainError):
    code = "membership_exists"
    message = _("Cette personne a déjà ce rôle dans cette structure.")


class UnverifiedEmail(DomainError):
    code = "email_unverified"
    message = _("Cette personne n'a pas encore confirmé son adresse e-mail : invitez-la plutôt.")


class CreatorUnverified(DomainError):
    code = "email_unverified"
    message = _("Confirmez d'abord votre adresse e-mail (le lien vous a été envoyé).")


def unique_slug(model, text: str, *, field: str = "slug", max_length: int = 80) -> str:
    base = slugify(text)[: max_length - 6].strip("-") or "x"
    slug, n = base, 1
    while model._default_manager.filter(**{field: slug}).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _forget_roles(person: Person) -> None:
    person.__dict__.pop("_essaim_role_cache", None)


@transaction.atomic
def organization_create(*, creator: Person, **fields) -> Organization:
    """Create an organization; its creator, whose address is verified, becomes its first admin."""
    if not creator.email_verified:
        raise CreatorUnverified()
    if not fields.get("slug"):
        fields["slug"] = unique_slug(Organization, fields["name"])
    organization = Organization(**fields)
    organization.full_clean()
    organization.save()
    Membership.objects.create(person=creator, organization=organization, role=Role.ADMIN)
    _forget_roles(creator)
    return organization


@transaction.atomic
def membership_add(*, organization: Organization, person: Person, role: str) -> Membership:
    """Give ``person`` a role; only once their address is verified (an invitation proves it)."""
    if not person.email_verified:
        raise UnverifiedEmail(field="person_email")
    membership, created = Membership.objects.get_or_create(
        organization=organization, person=person, role=role
    )
    if not created:
        raise MembershipExists(field="role")
    _forget_roles(person)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.role == Role.ADMIN:
        admins = (
            Membership.objects.select_for_update()
            .filter(organization_id=membership.organization_id, role=Role.ADMIN)
        )
        if len(admins) <= 1:
            raise LastAdmin()
    membership.delete()
    _forget_roles(membership.person)
