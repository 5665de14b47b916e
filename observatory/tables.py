"""A figure's table, as every page, download and API answer of the observatory gives it.

A snapshot stores its figures as tables (``Table.as_data``); a page draws each above its
table, ``?format=csv&table=<slug>`` downloads one for a French spreadsheet, ``?format=json``
gives them all. The JSON of public figures is open data under the Licence Ouverte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse, JsonResponse

from backend.spreadsheet import csv_response

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)

    def as_data(self) -> dict:
        return {"slug": self.slug, "title": self.title, "headers": self.headers, "rows": self.rows}

    @classmethod
    def from_data(cls, data: dict) -> Table:
        return cls(slug=data["slug"], title=data["title"], headers=data["headers"], rows=data["rows"])


def csv_download(table: Table, *, prefix: str) -> HttpResponse:
    """``table`` as a CSV named after ``prefix`` and the table; a share or a score (a float in
    the stored JSON) with a decimal comma, as French spreadsheets read it."""
    rows = [[Decimal(str(value)) if isinstance(value, float) else value for value in row]
            for row in table.rows]
    return csv_response(f"{prefix}-{table.slug}.csv", table.headers, rows)


def json_download(tables: list[Table], *, about: dict, computed_at) -> JsonResponse:
    """Every table of a figures page, with what they are about, when they were computed and
    their licence."""
    return JsonResponse({
        **about, "computed_at": computed_at.isoformat() if computed_at else None,
        "licence": LICENCE, "licence_url": LICENCE_URL,
        "tables": [table.as_data() for table in tables],
    }, json_dumps_params={"ensure_ascii": False})
