"""Amounts as people read them: "84,00 €" in French, "€84.00" in English."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats, translation

register = template.Library()

NBSP = "\u00a0"


@register.filter
def euros(value: Decimal | None, signed: str = "") -> str:
    """``value`` in euros, to the cent; ``euros:"signed"`` writes a + before a positive amount."""
    if value is None:
        return ""
    text = formats.number_format(abs(value), 2, use_l10n=True, force_grouping=True)
    sign = "−" if value < 0 else ("+" if signed and value > 0 else "")
    if (translation.get_language() or "").startswith("en"):
        return f"{sign}€{text}"
    return f"{sign}{text}{NBSP}€"


@register.filter
def signed(value: int) -> str:
    """A count with its sign: "+2", "−1", "0"."""
    return f"+{value}" if value > 0 else (f"−{-value}" if value < 0 else "0")
