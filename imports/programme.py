"""CSV programmes: one row per event, columns in French (the template: :data:`COLUMNS`).

Written by hand or exported from a spreadsheet: semicolons or commas, UTF-8 (with or
without a byte order mark) or Windows-1252, dates as ``JJ/MM/AAAA HH:MM`` or ISO
(``AAAA-MM-JJ HH:MM``), a date alone for an all-day event. A row with a bad cell is left out
and the preview names its line and column; the others are imported. An upload of the same
programme updates its events rather than adding them again: each row is keyed by its
``clé`` column when there is one, else by its title and start.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from backend.spreadsheet import FORMULA_STARTS
from backend.text import one_line, paragraphs
from events.models import TEXT_MAX, EventFormat, Theme
from imports.reading import (
    DEFAULT_DURATION,
    HORIZON,
    Entry,
    Ignored,
    Reading,
    SourceUnreadable,
    cap,
    keyword_matches,
)

# The template's columns, in its order: (heading, what goes in it).
COLUMNS = [
    ("titre", "Le titre de l'événement (obligatoire)."),
    ("description", "Un texte libre, sur plusieurs lignes si besoin."),
    ("début", "JJ/MM/AAAA HH:MM (ou JJ/MM/AAAA seul : toute la journée). Obligatoire."),
    ("fin", "JJ/MM/AAAA HH:MM ; vide : une heure après le début (ou la fin de la journée)."),
    ("lieu", "Le nom du lieu (Maison de l'ESS…)."),
    ("adresse", "Numéro, rue, code postal."),
    ("code INSEE ou commune", "59350 ou Lille."),
    ("format", "Atelier, Forum, Café métiers, Conférence-débat, Visite, Formation, Projection… "
               "(vide : le format par défaut de la source)."),
    ("thèmes", "Noms de thèmes séparés par des virgules (vide : ceux de la source)."),
    ("lien", "Une adresse https:// (inscription, visio…)."),
    ("tarif", "Gratuit, 5 €…"),
    ("public", "Tout public, demandeur·ses d'emploi…"),
    ("clé", "Facultatif : un identifiant stable de la ligne, pour qu'un titre ou un horaire "
            "corrigé mette à jour l'événement au lieu d'en créer un autre."),
]
REQUIRED = ("titre", "début")
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y")
INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)


def _plain(text: str) -> str:
    """A heading or a choice as compared: no accents, no case, single spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


HEADINGS = {_plain(name): name for name, _help in COLUMNS}
HEADINGS.update({"commune": "code INSEE ou commune", "code insee": "code INSEE ou commune",
                 "insee": "code INSEE ou commune", "themes": "thèmes", "theme": "thèmes",
                 "date de debut": "début", "date de fin": "fin", "url": "lien", "cle": "clé"})


def template_rows() -> tuple[list[str], list[list[str]]]:
    """The template's heading and two example rows (for the download)."""
    header = [name for name, _help in COLUMNS]
    rows = [
        ["Café métiers : l'habitat partagé", "Rencontre avec deux coopératives d'habitants.",
         "12/11/2026 18:30", "12/11/2026 20:30", "Maison de l'ESS", "5 place de la République, 59000",
         "59350", "Café métiers", "Habitat", "https://exemple.org/inscription", "Gratuit", "Tout public",
         "cafe-habitat-2026"],
        ["Journée portes ouvertes", "", "21/11/2026", "", "La Ressourcerie", "12 rue du Port", "Lille",
         "Visite, portes ouvertes", "", "", "", "", ""],
    ]
    return header, rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _cell(text: str | None) -> str:
    text = (text or "").strip()
    # Our own exports prefix text that looks like a formula with an apostrophe.
    if text.startswith("'") and text[1:2] and text[1] in "".join(FORMULA_STARTS):
        text = text[1:]
    return text


def _moment(text: str, zone: zoneinfo.ZoneInfo) -> datetime | date:
    text = " ".join(text.split())
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    for pattern in DAY_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


class _BadCell(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column, self.message = column, message


def _choices() -> dict[str, str]:
    found = {}
    for value, label in EventFormat.choices:
        found[_plain(value)] = value
        found[_plain(str(label))] = value
        found[_plain(str(label).split(",")[0])] = value
    return found


def _row_fields(row: dict[str, str], *, zone: zoneinfo.ZoneInfo, time_zone: str,
                themes: dict[str, Theme]) -> dict[str, Any]:
    title = one_line(row.get("titre", ""))[:200]
    if not title:
        raise _BadCell("titre", _("le titre est obligatoire"))
    start_text = row.get("début", "")
    if not start_text:
        raise _BadCell("début", _("la date de début est obligatoire"))
    try:
        start = _moment(start_text, zone)
    except ValueError:
        raise _BadCell("début", _("date illisible « %(text)s » (JJ/MM/AAAA HH:MM)")
                       % {"text": start_text[:40]}) from None
    end_text = row.get("fin", "")
    try:
        end = _moment(end_text, zone) if end_text else None
    except ValueError:
        raise _BadCell("fin", _("date illisible « %(text)s » (JJ/MM/AAAA HH:MM)")
                       % {"text": end_text[:40]}) from None
    all_day = not isinstance(start, datetime)
    starts_at: datetime
    if not isinstance(start, datetime):
        last = end if isinstance(end, date) and not isinstance(end, datetime) else start
        if last < start:
            raise _BadCell("fin", _("la fin précède le début"))
        starts_at = datetime.combine(start, time(), zone)
        ends_at = datetime.combine(last + timedelta(days=1), time(), zone)
    else:
        starts_at = start
        if end is None:
            ends_at = starts_at + DEFAULT_DURATION
        elif isinstance(end, datetime):
            ends_at = end
        else:
            raise _BadCell("fin", _("une heure de fin est attendue, comme au début (JJ/MM/AAAA HH:MM)"))
        if ends_at <= starts_at:
            raise _BadCell("fin", _("la fin doit suivre le début"))
    fields: dict[str, Any] = {
        "title": title,
        "description": paragraphs(row.get("description", ""))[:TEXT_MAX],
        "starts_at": starts_at, "ends_at": ends_at, "all_day": all_day, "time_zone": time_zone,
        "price_text": one_line(row.get("tarif", ""))[:200],
        "audience": one_line(row.get("public", ""))[:200],
    }
    place = ", ".join(one_line(row[name]) for name in ("lieu", "adresse") if row.get(name))
    commune = one_line(row.get("code INSEE ou commune", ""))
    if commune and INSEE.match(commune):
        fields["commune_insee"] = commune.upper()
    elif commune and _plain(commune) not in _plain(place):
        place = f"{place}, {commune}" if place else commune
    fields["address"] = place[:300]
    link = row.get("lien", "")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise _BadCell("lien", _("adresse web invalide « %(text)s » (https://…)") % {"text": link[:60]}) \
                from None
        if len(link) > 200:
            raise _BadCell("lien", _("adresse web de plus de 200 caractères"))
        fields["online_url"] = link
    if kind := row.get("format", ""):
        value = _choices().get(_plain(kind))
        if value is None:
            raise _BadCell("format", _("format inconnu « %(text)s » (Atelier, Forum, Café métiers…)")
                           % {"text": kind[:40]})
        fields["format"] = value
    if names := [n.strip() for n in re.split(r"[,;]", row.get("thèmes", "")) if n.strip()]:
        unknown = [n for n in names if _plain(n) not in themes]
        if unknown:
            raise _BadCell("thèmes", _("thème inconnu « %(text)s » (thèmes : %(known)s)") % {
                "text": unknown[0][:40], "known": ", ".join(sorted(t.name for t in set(themes.values())))})
        fields["themes"] = [themes[_plain(n)] for n in names]
    return fields


class _Semicolons(csv.excel):
    delimiter = ";"


def read_programme(data: bytes, *, time_zone: str, keyword: str = "", now: datetime) -> Reading:
    """The entries of a CSV programme; rows before ``now`` or beyond a year are left out."""
    zone = zoneinfo.ZoneInfo(time_zone)
    text = _decode(data)
    dialect: type[csv.Dialect] | csv.Dialect
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = _Semicolons if ";" in text.split("\n", 1)[0] else csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(rows)
    except (StopIteration, csv.Error) as error:
        raise SourceUnreadable(_("Le fichier est vide : la première ligne nomme les colonnes.")) from error
    names = [HEADINGS.get(_plain(name), "") for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise SourceUnreadable(_("Colonne « %(column)s » introuvable : la première ligne nomme les colonnes "
                                 "(titre ; début ; fin ; lieu …, voir le modèle).") % {"column": missing[0]})
    themes: dict[str, Theme] = {}
    for theme in Theme.objects.all():
        themes[_plain(theme.name)] = themes[_plain(theme.slug)] = theme
    reading = Reading()
    try:
        for line, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                continue
            row = {name: _cell(value) for name, value in zip(names, values, strict=False) if name}
            title = row.get("titre", "")
            try:
                fields = _row_fields(row, zone=zone, time_zone=time_zone, themes=themes)
            except _BadCell as bad:
                reason = _("ligne %(line)s, colonne « %(column)s » : %(message)s") % {
                    "line": line, "column": bad.column, "message": bad.message}
                reading.ignored.append(Ignored(title or "?", None, reason, row=line))
                continue
            if fields["ends_at"] <= now or fields["starts_at"] > now + HORIZON:
                reading.ignored.append(Ignored(fields["title"], fields["starts_at"], _(
                    "ligne %(line)s : déjà passé ou dans plus d'un an") % {"line": line}, row=line))
                continue
            if not keyword_matches(keyword, fields["title"], *(t.name for t in fields.get("themes", []))):
                reading.ignored.append(Ignored(fields["title"], fields["starts_at"], _(
                    "ligne %(line)s : ne contient pas « %(keyword)s »") % {"line": line, "keyword": keyword},
                    row=line))
                continue
            key = row.get("clé") or f"{fields['title']}|{fields['starts_at'].isoformat()}"
            uid = "csv:" + hashlib.sha256(key.encode()).hexdigest()
            reading.entries.append(Entry(uid=uid, recurrence_key="", fields=fields, row=line))
    except csv.Error as error:
        raise SourceUnreadable(_("Le fichier CSV est illisible : %(error)s") % {"error": error}) from error
    seen: set[tuple[str, str]] = set()
    unique = []
    for entry in reading.entries:
        if entry.key in seen:
            reading.ignored.append(Ignored(entry.fields["title"], entry.fields["starts_at"], _(
                "ligne %(line)s : même titre et même début (ou même clé) qu'une ligne plus haut")
                % {"line": entry.row}, row=entry.row))
            continue
        seen.add(entry.key)
        unique.append(entry)
    reading.entries = unique
    return cap(reading)
