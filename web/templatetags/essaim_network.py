"""Helpers of the navigation for pass networks."""

from __future__ import annotations

from django import template

from network.models import Role
from network.selectors import organization_ids_for
from passes.selectors import networks_visible_to

register = template.Library()


@register.simple_tag
def sees_a_pass_network(user) -> bool:
    """Whether ``user`` reads some network's settlements (asked only of coordinators and space
    managers: nobody else does, and every page's navigation asks)."""
    if not organization_ids_for(user, Role.COORDINATOR, Role.SPACE_MANAGER):
        return False
    return networks_visible_to(user).exists()
