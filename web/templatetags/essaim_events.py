"""Small helpers the event templates share."""

from __future__ import annotations

from django import template

from events.selectors import place_of
from network.selectors import organization_ids_for
from network.territories import department_name as _department_name
from passes.selectors import holds_a_pass

register = template.Library()


@register.simple_tag
def holds_role(user, role: str) -> bool:
    """Whether ``user`` holds ``role`` (or is admin) in at least one organization."""
    return bool(organization_ids_for(user, role))


@register.filter
def seats_left(event) -> int | None:
    """Free seats from the listing's ``confirmed_count``; ``None`` when the event has no limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - event.confirmed_count)


@register.filter
def place(event) -> str:
    """"Roubaix (Nord), Hauts-de-France": where the event takes place, by name."""
    return place_of(event)["display"]


@register.filter
def department_name(code: str) -> str:
    """"Nord (59)" for "59"; an unknown code as it is."""
    name = _department_name(code)
    return f"{name} ({code})" if name != code else code


@register.simple_tag
def holds_pass(user) -> bool:
    return holds_a_pass(user)
