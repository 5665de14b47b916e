"""Filters shared by the APIs."""

from __future__ import annotations

from datetime import UTC

from django import forms
from django_filters import rest_framework as filters


class UTCDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter that queries in UTC.

    Python accepts offsets up to ±24 h, PostgreSQL only up to ±15:59: converting
    first keeps an odd but valid offset from becoming a database error.
    """

    def filter(self, qs, value):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return super().filter(qs, value)


class IdFilter(filters.NumberFilter):
    """A row id: a whole number within the database's range, else a 400 naming the filter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
