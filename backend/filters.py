"""Filters shared by the APIs."""

from __future__ import annotations

from datetime import UTC

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
