"""Forms of the pages that run a space and a pass network. They read input; the rules stay in
``spaces.services`` and ``passes.services``, whose refusals the views put on the field they name."""

from __future__ import annotations

import re
from datetime import time

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.api import DomainError
from backend.validators import INT_MAX, date_in_range, single_line
from passes.models import VALIDITY_DAYS_MAX, Period, Plan, PlanKind
from spaces import services as space_services
from spaces.models import Space, Weekday

ALL_DAY = (time(0, 0), time.max)
# "9", "9h", "9:30", "9h30", "09.30"; 24:00 (or 24h) is midnight at the end of the day.
TIME = r"(\d{1,2})(?:\s*[h:.]\s*(\d{2})?)?"
RANGE = re.compile(rf"^\s*{TIME}\s*(?:-|–|—|à|a)\s*{TIME}\s*$", re.IGNORECASE)


def _time(hours: str, minutes: str | None, *, closing: bool) -> time:
    hour, minute = int(hours), int(minutes or 0)
    if closing and (hour, minute) == (24, 0):
        return time.max
    if hour > 23 or minute > 59:
        raise ValueError
    return time(hour, minute)


def parse_day(text: str, weekday: int) -> list[space_services.Range]:
    """``"9:00-12:30, 14h-18h"`` as the ranges of ``weekday``; a ValidationError saying what
    could not be read."""
    ranges = []
    for part in filter(None, (chunk.strip() for chunk in re.split(r"[,;/]|\bet\b", text))):
        match = RANGE.match(part)
        try:
            if match is None:
                raise ValueError
            ranges.append(space_services.Range(
                weekday=weekday, opens=_time(match[1], match[2], closing=False),
                closes=_time(match[3], match[4], closing=True)))
        except ValueError:
            raise ValidationError(_("« %(part)s » n'est pas une plage horaire : écrivez par exemple "
                                    "9:00-12:30."), params={"part": part}) from None
    return ranges


def format_day(ranges) -> str:
    return ", ".join(f"{r.opens:%H:%M}-{'24:00' if r.closes == time.max else f'{r.closes:%H:%M}'}"
                     for r in ranges)


class OpeningHoursForm(forms.Form):
    """A line of ranges per weekday, or open around the clock; each day's ranges are checked
    by the service's own rule (:func:`spaces.services.check_opening_ranges`) so that a refusal
    shows on that day."""

    always_open = forms.BooleanField(label=_("Ouvert 24 h/24, 7 j/7"), required=False,
                                     help_text=_("Les jours ci-dessous sont alors ignorés."))

    def __init__(self, *args, space: Space, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        days: dict[int, list] = {day: [] for day in Weekday.values}
        for hours in space.opening_hours.all():
            days[hours.weekday].append(hours)
        for day in Weekday:
            self.fields[f"day_{day.value}"] = forms.CharField(
                label=str(day.label).capitalize(), required=False, max_length=200,
                initial=format_day(days[day.value]))
        self.fields["always_open"].initial = all(
            [(h.opens, h.closes) for h in days[day]] == [ALL_DAY] for day in days)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("always_open"):
            data["ranges"] = [space_services.Range(weekday=day, opens=ALL_DAY[0], closes=ALL_DAY[1])
                              for day in Weekday.values]
            return data
        ranges = []
        for day in Weekday.values:
            name = f"day_{day}"
            if name not in data:
                continue
            try:
                day_ranges = parse_day(data[name], day)
                space_services.check_opening_ranges(day_ranges)
            except ValidationError as error:
                self.add_error(name, error)
            except DomainError as refusal:
                self.add_error(name, refusal.detail)
            else:
                ranges.extend(day_ranges)
        data["ranges"] = ranges
        return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ClosureForm(forms.Form):
    starts_on = forms.DateField(label=_("Du"), validators=[date_in_range], widget=DateInput())
    ends_on = forms.DateField(label=_("Au (inclus)"), validators=[date_in_range], widget=DateInput())
    reason = forms.CharField(label=_("Motif"), required=False, max_length=200, validators=[single_line],
                             help_text=_("Affiché aux membres, ex. « Congés d'été »."))


class SpaceSettingsForm(forms.Form):
    desk_capacity = forms.IntegerField(
        label=_("Postes de travail"), max_value=INT_MAX,
        help_text=_("Quand tous sont occupés, les arrivées sont refusées ; 0 : l'espace n'accueille "
                    "pas de coworking."))
    self_checkin_allowed = forms.BooleanField(
        label=_("Les membres pointent eux-mêmes"), required=False,
        help_text=_("Un·e membre enregistre sa propre arrivée depuis son téléphone."))


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Nom de la salle"), max_length=120, validators=[single_line])
    capacity = forms.IntegerField(label=_("Places"), max_value=INT_MAX)


class KioskForm(forms.Form):
    name = forms.CharField(label=_("Nom de la borne"), max_length=120, validators=[single_line],
                           help_text=_("Ex. « Borne de l'entrée »."))


class DeskSearchForm(forms.Form):
    nom = forms.CharField(label=_("Nom ou e-mail du ou de la membre"), max_length=150, min_length=2,
                          widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}))


class PlanForm(forms.Form):
    """A plan of a network. Editing (``plan`` given), the kind and identifier are fixed and,
    once a pass of the plan exists, so are the terms of ``FROZEN_WHEN_IN_USE`` (shown
    disabled; the service refuses them anyway)."""

    name = forms.CharField(label=_("Nom"), max_length=120, validators=[single_line])
    slug = forms.SlugField(label=_("Identifiant"), max_length=80, required=False,
                           help_text=_("Dans les adresses et l'API ; vide : tiré du nom."))
    kind = forms.ChoiceField(label=_("Type"), choices=PlanKind.choices, initial=PlanKind.SUBSCRIPTION,
                             help_text=_("Une journée sur place ou d'essai vaut un passage, valable "
                                         "le jour même."))
    price = forms.DecimalField(label=_("Prix (€)"), max_digits=8, decimal_places=2, localize=True)
    period = forms.ChoiceField(label=_("Période"), choices=Period.choices, initial=Period.MONTH)
    allowance = forms.IntegerField(label=_("Passages par période"), required=False, max_value=INT_MAX,
                                   help_text=_("Vide pour un forfait illimité."))
    per_space_cap = forms.IntegerField(label=_("Plafond par espace et par période"), required=False,
                                       max_value=INT_MAX,
                                       help_text=_("Vide : sans plafond. L'espace émetteur n'est "
                                                   "jamais plafonné."))
    validity_days = forms.IntegerField(label=_("Durée de validité (jours)"), max_value=VALIDITY_DAYS_MAX,
                                       initial=365)
    eligible_spaces = forms.ModelMultipleChoiceField(
        label=_("Espaces accessibles"), queryset=Space.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Aucun coché : tous les espaces du réseau."))
    is_active = forms.BooleanField(label=_("En vente"), required=False, initial=True)

    def __init__(self, *args, network, plan: Plan | None = None, frozen: tuple[str, ...] = (),
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        spaces = self.fields["eligible_spaces"]
        assert isinstance(spaces, forms.ModelMultipleChoiceField)
        spaces.queryset = network.spaces.order_by("name")
        if plan is None:
            del self.fields["is_active"]
            return
        for name in ("slug", "kind"):
            del self.fields[name]
        self.initial.update(
            name=plan.name, price=plan.price, period=plan.period, allowance=plan.allowance,
            per_space_cap=plan.per_space_cap, validity_days=plan.validity_days,
            eligible_spaces=list(plan.eligible_spaces.all()), is_active=plan.is_active)
        if plan.is_one_day:
            # Set by the kind: one visit-day, valid the day it is given.
            for name in ("period", "allowance", "per_space_cap", "validity_days"):
                del self.fields[name]
        for name in frozen:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Figé : des pass de ce forfait existent.")
