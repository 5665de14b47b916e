"""Read-side queries about people and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from network.models import Membership, Organization, Person, Role


def organization_ids_for(person: Person | AnonymousUser | None, *roles: str) -> set[int]:
    """Ids of the organizations where ``person`` holds one of ``roles``.

    An admin of an organization holds every role there: whoever manages the
    structure may also act as its organizer, coordinator or space manager.
    """
    if person is None or not person.is_authenticated:
        return set()
    cache = person.__dict__.setdefault("_essaim_role_cache", {})
    if not cache:
        # No ordering: the default one would join the person and the organization.
        for org_id, role in Membership.objects.filter(person=person).order_by().values_list(
            "organization_id", "role"
        ):
            cache.setdefault(role, set()).add(org_id)
    wanted = {*roles, Role.ADMIN} if roles else set(Role.values)
    return set().union(*(cache.get(role, set()) for role in wanted))


def has_role(person: Person | AnonymousUser | None, organization_id: int | None, *roles: str) -> bool:
    return organization_id is not None and organization_id in organization_ids_for(person, *roles)


def organizations_for(person: Person | AnonymousUser | None, *roles: str) -> QuerySet[Organization]:
    return Organization.objects.filter(id__in=organization_ids_for(person, *roles))


def memberships_visible_to(person: Person) -> QuerySet[Membership]:
    """A person sees their own roles and every role in the organizations they administer."""
    admin_of = organization_ids_for(person, Role.ADMIN)
    return (
        Membership.objects.filter(organization_id__in=admin_of)
        | Membership.objects.filter(person=person)
    ).select_related("person", "organization").distinct()
