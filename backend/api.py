"""What every Essaim API shares: one error format, pagination, strict input.

Every error answers ``{"code": "machine_code", "detail": "human message",
"fields": {...}}``. Services raise :class:`DomainError` subclasses; views never
build error responses by hand.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import exception_handler as drf_exception_handler

import backend.schema  # noqa: F401 (registers the strict serializers' schema extension)
from backend.validators import date_in_range


class DomainError(Exception):
    """A business rule refused the operation; the API answers ``status``.

    Subclasses set ``code`` (stable, for machines) and ``message`` (French
    first, translated); ``field`` names the input at fault when there is one.
    """

    status: int = status.HTTP_409_CONFLICT
    code = "conflict"
    message = _("L'opération n'est pas possible.")
    # Seconds after which asking again may succeed (a 429's Retry-After), when known.
    retry_after: int | None = None

    def __init__(self, message: Any = None, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        self.params = params
        text = message if message is not None else self.message
        self.detail = str(text) % params if params else str(text)
        super().__init__(self.detail)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = _("Le corps de la requête est trop volumineux.")


# What a JSON value must be for each kind of field, as the schema says: DRF reads ``0`` as the
# text "0", "12" as the number 12 and "yes" as true. First match wins (a slug field is a text
# field). A decimal is text in answers, so that no amount goes through a float, and text or a
# number in requests (backend/schema.py says so).
_JSON_TYPES: list[tuple[type[serializers.Field], tuple[type, ...], Any]] = [
    (serializers.BooleanField, (bool,), _("true ou false attendu.")),
    (serializers.CharField, (str,), _("Texte attendu.")),
    (serializers.SlugRelatedField, (str,), _("Texte attendu.")),
    (serializers.DecimalField, (str, int, float), _("Nombre décimal attendu (ex. \"12.50\").")),
    (serializers.IntegerField, (int,), _("Nombre entier attendu.")),
    (serializers.PrimaryKeyRelatedField, (int,), _("Nombre entier attendu.")),
    (serializers.FloatField, (int, float), _("Nombre attendu.")),
]


def _json_type_error(field: serializers.Field, value: Any) -> Any:
    """Why ``value``, read from JSON, is not of the type ``field``'s schema states (or None)."""
    if value is None:
        return None  # null: the field's own allow_null decides
    if isinstance(field, serializers.MultipleChoiceField):
        return None if isinstance(value, list) else _("Une liste est attendue.")
    if isinstance(field, serializers.ChoiceField):
        # Text choices (TextChoices members are text too), or whole numbers.
        expected = {str if isinstance(key, str) else type(key) for key in field.choices} or {str}
        if isinstance(value, bool) or type(value) not in expected:
            return _("Une des valeurs proposées est attendue.")
        return None
    for kind, types, message in _JSON_TYPES:
        if isinstance(field, kind):
            if isinstance(value, bool) and bool not in types:
                return message
            return None if isinstance(value, types) else message
    return None


class StrictSerializer(serializers.Serializer):
    """Refuses input the schema does not state: unknown fields, values of another type, and
    form fields sent empty."""

    # One home for the rule that input is read as the schema states it:
    # - a field it does not know is refused, not silently dropped;
    # - in JSON, each value must have its field's type (no number for a text, no text for a
    #   number or a boolean);
    # - in a form (multipart or urlencoded, where every value is text), a field sent empty is
    #   read as empty (refused unless the field allows blank or null), not as omitted.
    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - set(writable))
            errors: dict[str, Any] = {name: [_("Champ inconnu.")] for name in unknown}
            if errors:
                raise serializers.ValidationError(errors, code="unknown_field")
            if html.is_html_input(data):
                errors = {name: _empty_form_value_error(field)
                          for name, field in writable.items() if data.get(name) == ""}
            else:
                errors = {name: [_json_type_error(field, data[name])]
                          for name, field in writable.items() if name in data}
            errors = {name: messages for name, messages in errors.items() if messages and messages[0]}
            if errors:
                # The other fields' errors too, as for any invalid input.
                rest = copy.copy(data)  # a form's copy stays a form (QueryDict)
                for name in errors:
                    rest.pop(name, None)
                try:
                    super().to_internal_value(rest)
                except serializers.ValidationError as others:
                    if isinstance(others.detail, dict):
                        errors = {**others.detail, **errors}
                raise serializers.ValidationError(errors, code="invalid")
        return super().to_internal_value(data)


def _empty_form_value_error(field: serializers.Field) -> list | None:
    """Why a form field sent empty is refused, or None when the field takes it (blank text, or
    null): DRF would otherwise read an empty optional field as not sent."""
    if field.allow_null or getattr(field, "allow_blank", False):
        return None
    try:
        field.run_validation("")
    except serializers.ValidationError as error:
        return error.detail if isinstance(error.detail, list) else [error.detail]
    return None


class DateTimeField(serializers.DateTimeField):
    """An aware moment within the bounds of :mod:`backend.validators`. A naive one is
    refused: its wall time means nothing without an offset, and guessing the server's zone
    would move it."""

    default_error_messages = {
        "naive": _("Indiquez le décalage horaire, ex. 2026-11-05T18:30:00+01:00."),
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        _check(date_in_range, value)
        return super().enforce_timezone(value)


class DateField(serializers.DateField):
    """A date within the bounds of :mod:`backend.validators`."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        _check(date_in_range, day)
        return day


def _check(validator, value) -> None:
    try:
        validator(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages, code=error.code) from None


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
        models.DateField: DateField,
    }


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(value) for value in detail]
    return str(detail)


def _first_message(fields: dict[str, Any]) -> str:
    for name, messages in fields.items():
        message = messages
        while isinstance(message, (list, dict)):
            if not message:
                break
            message = next(iter(message.values())) if isinstance(message, dict) else message[0]
        prefix = "" if name == "non_field_errors" else f"{name}: "
        return f"{prefix}{message}"
    return str(_("Données invalides."))


def error_response(code: str, detail: str, status_code: int, fields: dict | None = None,
                   headers: dict | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return Response(body, status=status_code, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.detail]} if exc.field else None
        return error_response(exc.code, exc.detail, exc.status, fields,
                              {"Retry-After": str(exc.retry_after)} if exc.retry_after else None)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = exceptions.ParseError(_("Trop de champs dans le formulaire (au plus %(max)s).")
                                    % {"max": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = _flatten(detail)
        return error_response("invalid", _first_message(fields), response.status_code, fields,
                              headers)
    if isinstance(exc, exceptions.ParseError):
        return error_response("malformed_body", str(exc.detail), response.status_code, None,
                              headers)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "error"
    message = str(exc.detail) if isinstance(exc, exceptions.APIException) else str(exc)
    return error_response(code, message, response.status_code, None, headers)


class FormatParameterNegotiation(DefaultContentNegotiation):
    """Honours ``?format=`` (``csv`` for settlements, ``json`` for the schema) on the views that
    ask for it, although the API at large leaves ``format`` to the event filters
    (``URL_FORMAT_OVERRIDE`` is off)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return super().select_renderer(request, renderers,
                                       format_suffix or request.query_params.get("format"))


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, refusing a NUL character (no text column holds one, and PostgreSQL refuses
    it even in the lookup) with a 400 naming the field instead of a 500."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)
