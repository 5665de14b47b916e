"""``GET /api/v1/observatory/cooperation/``: the cooperation network's figures for a filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from observatory import cooperation


def _flat(choices) -> list:
    """Choices with their groups (departments by region) opened."""
    return [option for value, label in choices
            for option in (label if isinstance(label, (list, tuple)) else [(value, label)])]


def _parameters() -> list[OpenApiParameter]:
    """The filter form's fields as query parameters: the schema and the check are one."""
    form = cooperation.CooperationFilterForm()
    parameters = []
    for name, field in form.fields.items():
        kind: OpenApiTypes = OpenApiTypes.STR
        enum = None
        if isinstance(field, forms.IntegerField):
            kind = OpenApiTypes.INT
        elif isinstance(field, forms.DateField):
            kind = OpenApiTypes.DATE
        elif isinstance(field, forms.ChoiceField):
            enum = [value for value, _label in _flat(field.choices) if value]
        parameters.append(OpenApiParameter(name, kind, enum=enum, description=str(field.label)))
    return parameters


SNAPSHOT = inline_serializer("CooperationSnapshot", {
    "status": serializers.ChoiceField(choices=["ready", "computing"]),
    "filters": serializers.DictField(help_text="the filter in words, and the snapshot's key"),
    "computed_at": serializers.DateTimeField(allow_null=True),
    "licence": serializers.CharField(),
    "licence_url": serializers.URLField(),
    "summary": serializers.DictField(required=False),
    "tables": serializers.ListField(child=serializers.DictField(), required=False,
                                    help_text="each with slug, title, headers and rows"),
})


@extend_schema(parameters=_parameters(), responses={
    200: OpenApiResponse(SNAPSHOT, description="The figures, computed by the worker."),
    202: OpenApiResponse(SNAPSHOT, description="Not computed yet for this filter: asked for; "
                                               "call again in a minute."),
})
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def cooperation_snapshot(request):
    """Organizations linked by the public events they co-organize: links with their weight,
    organizations with their bridging score, the kinds that cooperate, year by year. Open data
    under the Licence Ouverte; no person appears."""
    # A page's form sends "all" as an empty value; an API caller leaves the parameter out.
    params = request.query_params
    empty = {name: [_("Ce filtre ne peut pas être vide.")]
             for name in cooperation.CooperationFilterForm.base_fields if params.get(name) == ""}
    filters, errors = cooperation.filters_from(params)
    if filters is None or empty:
        raise serializers.ValidationError({**errors, **empty})
    snapshot = cooperation.snapshot_for(filters, request)
    body = cooperation.public_data(filters, snapshot)
    return Response(body, status=200 if body["status"] == "ready" else 202)
