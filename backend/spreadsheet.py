"""CSV downloads that open cleanly in a French spreadsheet (LibreOffice, Excel set to French).

Semicolons, since the comma is the decimal separator; UTF-8 with a byte order mark, without
which Excel reads "é" as "Ã©"; dates as people write them; decimal commas; and text that
starts with ``=``, ``+``, ``-`` or ``@`` prefixed with an apostrophe, so that a name typed by a
stranger never runs as a formula. Numbers are written as numbers (an adjustment of -7,00
stays a number a sum can add).
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value, *, zone: str | None = None) -> str:
    """``value`` as a French spreadsheet reads it; a datetime in ``zone`` (the site's by default)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        tz = zoneinfo.ZoneInfo(zone) if zone else timezone.get_default_timezone()
        return f"{value.astimezone(tz):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: list[str], rows: Iterable[Iterable], *, zone: str | None = None) -> bytes:
    """The file itself: byte order mark, ``header`` then ``rows``, each value through :func:`cell`
    (also what an API renderer returns)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value, zone=zone) for value in row] for row in rows)
    return out.getvalue().encode()


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable], *,
                 zone: str | None = None) -> HttpResponse:
    """A download named ``filename`` holding :func:`csv_bytes`."""
    response = HttpResponse(csv_bytes(header, rows, zone=zone), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
