"""Recurrence rules of series (cafés métiers): RFC 5545 RRULEs, checked and expanded within a budget.

A rule is checked part by part before anything is computed (known parts, each once,
values in range, ``COUNT`` or ``UNTIL`` but not both, no ``BYEASTER``), then expanded with
python-dateutil's public iteration, at most :data:`SERIES_MAX_DATES` dates. dateutil alone
would search an impossible rule (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) up to year 9999:
seconds of CPU; the rule is therefore expanded whole 400-year calendar cycles later, where
that search ends a few hundred years after the last year dates may take
(:data:`backend.validators.LATEST`).

:func:`describe` says a rule in words ("le 1er jeudi du mois, 6 dates").
"""

from __future__ import annotations

import datetime as _datetime
import re
import zoneinfo
from datetime import datetime
from itertools import islice

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backend.api import DomainError
from backend.validators import EARLIEST, LATEST, validate_time_zone

# A series never produces more dates than this.
SERIES_MAX_DATES = 200
# Finer frequencies could make dateutil scan millions of candidates before a
# sparse rule yields its dates.
SERIES_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
INTERVAL_MAX = 366
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The parts a series may use, with the range of each of their (comma-separated) numbers.
# The time of day comes from the first date (no BYHOUR, BYMINUTE, BYSECOND); BYEASTER is
# dateutil's own extension, not RFC 5545.
NUMBER_PARTS = {"BYMONTH": (1, 12), "BYMONTHDAY": (1, 31), "BYYEARDAY": (1, 366),
                "BYWEEKNO": (1, 53), "BYSETPOS": (1, 366)}
SIGNED_PARTS = {"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS"}
PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST", *NUMBER_PARTS}
RULE_TEXT = re.compile(r"^[A-Za-z0-9;=,+-]+$")
BYDAY_ITEM = re.compile(r"^(?:([+-]?)(\d{1,2}))?(MO|TU|WE|TH|FR|SA|SU)$")
UNTIL_VALUE = re.compile(r"^(\d{8})(T\d{6}Z?)?$")
# An ordinal weekday (2TH) counts within the month or within the year.
ORDINAL_MAX = {"MONTHLY": 5, "YEARLY": 53}


class InvalidRecurrence(DomainError):
    status = 400
    code = "invalid_rrule"
    message = _("Règle de récurrence invalide.")


def _refuse(message, **params) -> InvalidRecurrence:
    return InvalidRecurrence(message, field="rrule", **params)


def rule_parts(rrule: str) -> dict[str, str]:
    """The parts of ``rrule`` (``RRULE:`` prefix allowed), checked one by one.

    Raises :class:`InvalidRecurrence` naming the part at fault.
    """
    text = rrule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:"):]
    if not RULE_TEXT.match(text):
        raise _refuse(_("Règle de récurrence invalide : lettres, chiffres et ; = , + - seulement "
                        "(ex. FREQ=MONTHLY;BYDAY=1TH;COUNT=10)."))
    parts: dict[str, str] = {}
    for part in text.strip(";").split(";"):
        key, sep, value = part.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not value:
            raise _refuse(_("Règle de récurrence invalide : « %(part)s » n'est pas de la forme "
                            "CLÉ=VALEUR."), part=part.strip())
        if key not in PARTS:
            raise _refuse(_("Règle de récurrence invalide : %(part)s n'est pas accepté."), part=key)
        if key in parts:
            raise _refuse(_("Règle de récurrence invalide : %(part)s est donné deux fois."), part=key)
        parts[key] = value
    freq = parts.get("FREQ")
    if freq not in SERIES_FREQUENCIES:
        raise _refuse(_("Règle de récurrence invalide : FREQ=DAILY, WEEKLY, MONTHLY ou YEARLY "
                        "attendu (ex. FREQ=MONTHLY;BYDAY=1TH;COUNT=10)."))
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise _refuse(_("La règle doit se terminer : COUNT ou UNTIL, l’un des deux."))
    _check_number(parts, "INTERVAL", 1, INTERVAL_MAX)
    if parts.get("COUNT", "").isdigit() and int(parts["COUNT"]) > SERIES_MAX_DATES:
        raise _refuse(_("La règle produit plus de %(max)s dates."), max=SERIES_MAX_DATES)
    _check_number(parts, "COUNT", 1, SERIES_MAX_DATES)
    for key, (low, high) in NUMBER_PARTS.items():
        for item in parts.get(key, "").split(",") if key in parts else ():
            number = item[1:] if key in SIGNED_PARTS and item[:1] in "+-" else item
            if not number.isdigit() or not low <= int(number) <= high:
                raise _refuse(_("Règle de récurrence invalide : %(part)s attend des nombres de %(low)s à "
                                "%(high)s."), part=key, low=low, high=high)
    if "BYWEEKNO" in parts and freq != "YEARLY":
        raise _refuse(_("Règle de récurrence invalide : BYWEEKNO ne va qu'avec FREQ=YEARLY."))
    if "WKST" in parts and parts["WKST"] not in WEEKDAYS:
        raise _refuse(_("Règle de récurrence invalide : WKST attend un jour (MO, TU…)."))
    for item in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else ():
        match = BYDAY_ITEM.match(item)
        if match is None:
            raise _refuse(_("Règle de récurrence invalide : BYDAY attend des jours (MO, 1TH, -1FR…)."))
        if match.group(2) is not None:
            ordinal_max = ORDINAL_MAX.get(freq)
            if ordinal_max is None or "BYWEEKNO" in parts:
                raise _refuse(_("Règle de récurrence invalide : un jour numéroté (%(item)s) ne va qu'avec "
                                "FREQ=MONTHLY ou YEARLY."), item=item)
            if freq == "YEARLY" and "BYMONTH" in parts:
                ordinal_max = ORDINAL_MAX["MONTHLY"]
            if not 1 <= int(match.group(2)) <= ordinal_max:
                raise _refuse(_("Règle de récurrence invalide : %(item)s n'existe pas (au plus %(max)s)."),
                              item=item, max=ordinal_max)
    if "UNTIL" in parts:
        match = UNTIL_VALUE.match(parts["UNTIL"])
        if match is None:
            raise _refuse(_("Règle de récurrence invalide : UNTIL attend AAAAMMJJ ou AAAAMMJJTHHMMSSZ."))
        try:
            day = datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=_datetime.UTC)
        except ValueError:
            raise _refuse(_("Règle de récurrence invalide : UNTIL n'est pas une date.")) from None
        if not EARLIEST <= day < LATEST:
            raise _refuse(_("Règle de récurrence invalide : UNTIL doit tomber entre %(first)s et %(last)s."),
                          first=EARLIEST.year, last=LATEST.year - 1)
    return parts


def _check_number(parts: dict[str, str], key: str, low: int, high: int) -> None:
    if key in parts and not (parts[key].isdigit() and low <= int(parts[key]) <= high):
        raise _refuse(_("Règle de récurrence invalide : %(part)s doit être un nombre de %(low)s à %(high)s."),
                      part=key, low=low, high=high)


# The Gregorian calendar repeats every 400 years (weekdays and leap years alike). A rule is
# expanded this many cycles later, so that dateutil's own end of search (the year 9999) falls at
# most one cycle after the last year dates may take: an impossible rule
# (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) is given up after a few hundred years, not eight thousand.
CYCLE_YEARS = 400
SHIFT_YEARS = (_datetime.MAXYEAR - (LATEST.year - 1)) // CYCLE_YEARS * CYCLE_YEARS


def _shift_until(text: str, years: int) -> str:
    return re.sub(r"UNTIL=(\d{4})", lambda m: f"UNTIL={int(m.group(1)) + years:04d}", text)


def recurrence_dates(*, rrule: str, starts_at: datetime, time_zone: str) -> list[datetime]:
    """Every start of ``rrule`` from ``starts_at``, at the same local wall time in ``time_zone``.

    The rule is expanded against a datetime carrying the ``ZoneInfo`` itself,
    so 18:30 stays 18:30 on both sides of a daylight-saving change. Refuses
    what :func:`rule_parts` refuses, rules with more than ``SERIES_MAX_DATES``
    dates or none, and dates after the last accepted year.
    """
    parts = rule_parts(rrule)
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    # A date-only UNTIL means "through that day", as people who write one expect.
    text = re.sub(r"UNTIL=(\d{8})(?=;|$)", r"UNTIL=\1T235959", text)
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from error
    zone = zoneinfo.ZoneInfo(time_zone)
    local_start = starts_at.astimezone(zone)
    shifted_text = _shift_until(text, SHIFT_YEARS)
    shifted_start = local_start.replace(year=local_start.year + SHIFT_YEARS)
    try:
        try:
            rule = rrulestr(shifted_text, dtstart=shifted_start)
        except ValueError:
            # UNTIL written as a local (floating) time needs a floating start.
            rule = rrulestr(shifted_text, dtstart=shifted_start.replace(tzinfo=None))
        shifted = list(islice(rule, SERIES_MAX_DATES + 1))
    except (ValueError, TypeError, OverflowError, IndexError) as error:
        raise _refuse(_("Règle de récurrence invalide : %(error)s"), error=str(error)) from error
    if len(shifted) > SERIES_MAX_DATES:
        raise _refuse(_("La règle produit plus de %(max)s dates."), max=SERIES_MAX_DATES)
    dates = [d.replace(year=d.year - SHIFT_YEARS, tzinfo=zone) for d in shifted]
    if any(d >= LATEST for d in dates):
        raise _refuse(_("La règle produit des dates après %(last)s."), last=LATEST.year - 1)
    if not dates:
        raise _refuse(_("La règle ne produit aucune date avant %(last)s."), last=LATEST.year)
    return dates


DAY_NAMES = {"MO": _("lundi"), "TU": _("mardi"), "WE": _("mercredi"), "TH": _("jeudi"), "FR": _("vendredi"),
             "SA": _("samedi"), "SU": _("dimanche")}
ORDINALS = {1: _("1er"), 2: _("2e"), 3: _("3e"), 4: _("4e"), 5: _("5e"), -1: _("dernier"),
            -2: _("avant-dernier")}
MONTH_NAMES = [_("janvier"), _("février"), _("mars"), _("avril"), _("mai"), _("juin"), _("juillet"),
               _("août"), _("septembre"), _("octobre"), _("novembre"), _("décembre")]


def _day_number(day: int) -> str:
    return str(ORDINALS[1]) if day == 1 else str(day)


def _days(items: list[str]) -> str:
    names = [str(DAY_NAMES[item]) for item in items]
    return names[0] if len(names) == 1 else _("%(first)s et %(last)s") % {
        "first": ", ".join(names[:-1]), "last": names[-1]}


def _how_often(parts: dict[str, str], start: datetime) -> str | None:
    """The rhythm of the rules the event form offers, and their near relatives; None otherwise."""
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    byday = parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []
    others = set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY"}
    if others:
        return None
    if freq == "DAILY" and not byday and "BYMONTHDAY" not in parts:
        return str(_("chaque jour")) if interval == 1 else _("tous les %(n)s jours") % {"n": interval}
    if freq == "WEEKLY" and "BYMONTHDAY" not in parts and all(day in DAY_NAMES for day in byday):
        days = _days(byday or [WEEKDAYS[start.weekday()]])
        return (_("chaque %(days)s") % {"days": days} if interval == 1
                else _("toutes les %(n)s semaines, le %(days)s") % {"n": interval, "days": days})
    if freq == "MONTHLY" and len(byday) == 1 and "BYMONTHDAY" not in parts:
        match = BYDAY_ITEM.match(byday[0])
        if match is None or match.group(2) is None:
            return None
        nth = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
        if nth not in ORDINALS:
            return None
        values = {"nth": ORDINALS[nth], "day": DAY_NAMES[match.group(3)], "n": interval}
        return (_("le %(nth)s %(day)s du mois") % values if interval == 1
                else _("tous les %(n)s mois, le %(nth)s %(day)s") % values)
    if freq == "MONTHLY" and not byday and parts.get("BYMONTHDAY", str(start.day)).isdigit():
        values = {"day": _day_number(int(parts.get("BYMONTHDAY", start.day))), "n": interval}
        return (_("le %(day)s de chaque mois") % values if interval == 1
                else _("tous les %(n)s mois, le %(day)s") % values)
    if freq == "YEARLY" and not byday and "BYMONTHDAY" not in parts:
        values = {"day": _day_number(start.day), "month": MONTH_NAMES[start.month - 1]}
        return _("chaque année, le %(day)s %(month)s") % values
    return None


def describe(*, rrule: str, starts_at: datetime, time_zone: str) -> str:
    """A rule in words, in the current language: "le 1er jeudi du mois, 6 dates",
    "chaque mercredi, jusqu'au 24 juin 2027". A rule beyond what the words cover is given as
    written, after "selon la règle"."""
    try:
        parts = rule_parts(rrule)
    except InvalidRecurrence:
        return rrule
    start = starts_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    rhythm = _how_often(parts, start)
    if rhythm is None:
        return _("selon la règle %(rule)s") % {"rule": rrule}
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        return ngettext("%(rhythm)s, %(count)s date", "%(rhythm)s, %(count)s dates", count) % {
            "rhythm": rhythm, "count": count}
    until = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
    return _("%(rhythm)s, jusqu'au %(day)s %(month)s %(year)s") % {
        "rhythm": rhythm, "day": _day_number(until.day), "month": MONTH_NAMES[until.month - 1],
        "year": until.year}
