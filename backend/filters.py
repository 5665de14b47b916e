"""Filters shared by the APIs."""

from __future__ import annotations

import functools
import types
from datetime import UTC

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from backend.validators import ID_MAX, date_in_range


class AwareDateTimeField(forms.DateTimeField):
    """An ISO 8601 moment with its offset, within the bounds of :mod:`backend.validators`."""

    default_error_messages = {
        "invalid": _("Date et heure ISO 8601 attendues, ex. 2026-11-05T18:30:00+01:00."),
        "naive": _("Indiquez le décalage horaire, ex. 2026-11-05T18:30:00+01:00."),
    }
    default_validators = [date_in_range]

    def to_python(self, value):
        if value is None:
            return None
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if moment.tzinfo is None:
            raise ValidationError(self.error_messages["naive"], code="naive")
        return moment


class UTCDateTimeFilter(filters.IsoDateTimeFilter):
    """An aware ISO 8601 date-time filter that queries in UTC.

    Python accepts offsets up to ±24 h, PostgreSQL only up to ±15:59: converting
    first keeps an odd but valid offset from becoming a database error.
    """

    field_class = AwareDateTimeField

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(UTC)
        return super().filter(qs, value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number within the database's range, else a 400 naming the filter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (``1``/``0`` too); anything else is a 400 naming the filter, where
    django-filter's own would ignore the filter and list everything."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value is None:  # not given: no filter; given empty, it is refused like any other
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise ValidationError(_("true ou false attendu."), code="invalid") from None


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # django-filter's widget turns anything but true/false into "no filter" before the field.
        kwargs["widget"] = forms.TextInput
        super().__init__(*args, **kwargs)


class FilterForm(forms.Form):
    """A filter given empty is refused, as the schema says, unless it takes any text:
    django-filter would read ``?kind=`` or ``?organization=`` as no filter at all and list
    everything."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if self.data.get(name) == "" and not isinstance(field, forms.CharField):
                self.add_error(name, ValidationError(_("Ce filtre ne peut pas être vide."), code="empty"))
        return cleaned


class FilterSet(filters.FilterSet):
    """The base of every filter set, declared or built from ``filterset_fields``."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        # A row's id: one that names nothing lists nothing (django-filter's would be a 400).
        models.ForeignKey: {"filter_class": IdFilter},
    }

    def get_form_class(self):
        form = super().get_form_class()
        return type(form.__name__, (FilterForm, form), {})


class FilterBackend(filters.DjangoFilterBackend):
    """Every filter set, declared in a view or built from ``filterset_fields``, gets the rules
    of :class:`FilterSet`."""

    filterset_base = FilterSet

    def get_filterset_class(self, view, queryset=None):
        declared = super().get_filterset_class(view, queryset)
        return None if declared is None else _with_shared_rules(declared)


@functools.cache
def _with_shared_rules(filterset_class: type[filters.FilterSet]) -> type[filters.FilterSet]:
    if issubclass(filterset_class, FilterSet):
        return filterset_class
    return types.new_class(filterset_class.__name__, (FilterSet, filterset_class))
