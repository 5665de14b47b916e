"""OpenAPI: document the one error format on every operation, strict request bodies, and the
filters where they mean something."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "stable machine code, e.g. allowance_exhausted"},
        "detail": {"type": "string", "description": "human message, in the caller's language"},
        "fields": {
            "type": "object",
            "additionalProperties": {},
            "description": "messages per input field",
        },
    },
    "required": ["code", "detail"],
}

ERROR_STATUSES = {
    "400": "Invalid input; `fields` names each field at fault.",
    "401": "Not authenticated.",
    "403": "Authenticated without the role this needs.",
    "404": "Not found, or not visible to the caller.",
    "409": "A business rule refused the operation.",
    "413": "Request body too large.",
    "429": "Too many requests; see Retry-After.",
}
# Only operations that take a body can be sent one of a type they do not read.
BODY_ERROR_STATUSES = {"415": "Unsupported body type (send JSON)."}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation may answer the error format."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            statuses = {**ERROR_STATUSES, **(BODY_ERROR_STATUSES if "requestBody" in operation else {})}
            for status, description in statuses.items():
                responses.setdefault(
                    status, {"description": description,
                             "content": {"application/json": {"schema": reference}}}
                )
    return result


class StrictSerializerExtension(OpenApiSerializerExtension):
    """Request bodies as strict serializers (``backend.api``) read them: fields they do not
    know are refused (``additionalProperties: false``), and a decimal is text or a number."""

    target_class = "backend.api.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
            properties = schema.get("properties", {})
            for name, field in self.target.fields.items():
                if isinstance(field, serializers.DecimalField) and name in properties:
                    properties[name] = _text_or_number(properties[name])
        return schema


def _text_or_number(text: dict) -> dict:
    described = {key: text.pop(key) for key in ("title", "description") if key in text}
    nullable = {"nullable": True} if text.get("nullable") else {}
    return {**described, "anyOf": [text, {"type": "number", **nullable}]}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, without a collection's filters on the lists under one of its items
    (``/events/{id}/registrations/``): there they only pick the item, which its id does."""

    def get_filter_backends(self):
        if getattr(self.view, "detail", False):
            return []
        return super().get_filter_backends()
