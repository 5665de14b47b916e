"""The bounds every input lives within, checked once here and used by models, forms,
serializers and filters alike.

- **Time**: dates and moments within 1970–2100 (:data:`EARLIEST`, :data:`LATEST`). Later
  years overflow date arithmetic (a pass valid from 9999-12-31, a feed's time-zone
  expansion) and earlier ones carry local mean time offsets (Paris was +00:09:21 before
  1911) that RFC 3339 cannot write.
- **Zones**: IANA names of a region (``Europe/Paris``) and ``UTC``; not the server's
  ``localtime``, nor POSIX-style names (``EST5EDT``, ``Etc/GMT+5``, whose sign is
  reversed), which calendar clients read differently.
- **Single-line text** (titles, names, places, subjects) refuses line breaks and NUL: they
  reach calendar properties and email headers, where a line break injects a line.
- **Whole numbers** stay within the database's ``integer`` (:data:`INT_MAX`).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)  # exclusive: the last moment of 2100 is accepted
# An event lasts at most this long; longer spans are campaigns or series.
EVENT_MAX_DURATION = timedelta(days=31)
INT_MAX = 2**31 - 1
# Row ids are 64-bit (BigAutoField): a larger number cannot name a row on either engine.
ID_MAX = 2**63 - 1

# Region prefixes whose names are not a place: Etc/GMT+5 is five hours *behind* UTC.
_NOT_PLACES = ("Etc/", "posix/", "right/", "SystemV/")


def date_in_range(value: date | datetime) -> None:
    """Refuse a date or an aware moment outside 1970–2100."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day,
                                                                tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Aware comparisons never overflow, unlike converting year 9999 to UTC.
    if not EARLIEST <= moment < LATEST:
        raise ValidationError(
            _("Date hors des limites : entre %(first)s et %(last)s."),
            code="date_out_of_range", params={"first": EARLIEST.year, "last": LATEST.year - 1})


@cache
def time_zones() -> frozenset[str]:
    """The zone names accepted: IANA places and ``UTC``."""
    return frozenset(
        name for name in zoneinfo.available_timezones()
        if name == "UTC" or ("/" in name and not name.startswith(_NOT_PLACES))
    )


def validate_time_zone(value: str) -> None:
    if value not in time_zones():
        raise ValidationError(_("Fuseau horaire inconnu : %(zone)s (ex. Europe/Paris)."),
                              code="invalid_time_zone", params={"zone": value})


# NUL and every line boundary of ``str.splitlines``: CR, LF, VT, FF, FS, GS, RS, NEL, LS, PS.
_LINE_BREAKS = re.compile("[\x00\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def single_line(value: str) -> None:
    """Refuse line breaks and NUL."""
    if _LINE_BREAKS.search(value):
        raise ValidationError(_("Ce champ tient sur une ligne : ni retour à la ligne ni caractère nul."),
                              code="single_line")


def paired_coordinates(latitude: object, longitude: object) -> None:
    """A place has both its latitude and its longitude, or neither: the error is the longitude's."""
    if (latitude is None) != (longitude is None):
        raise ValidationError({"longitude": _("Latitude et longitude vont ensemble.")},
                              code="unpaired_coordinates")
