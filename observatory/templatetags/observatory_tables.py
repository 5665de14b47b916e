"""What the observatory's table fragment (``observatory/_table.html``) needs to draw any
:class:`observatory.tables.Table`: each value beside its column's heading, and a value as a
reader reads it."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def labelled(row: list, headers: list[str]) -> list[tuple[str, Any]]:
    """``row``'s values beside their column's heading (each value named on a phone)."""
    return list(zip(headers, row, strict=True))


@register.filter
def cell(value: Any) -> Any:
    """A yes-or-no as words, a share or a score (a float in the stored JSON) with one decimal,
    in the reader's language; anything else as it is."""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, float):
        return floatformat(value, 1)
    return value
