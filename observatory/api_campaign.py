"""API for a campaign's figures: the tables of its stored snapshot (see observatory/campaign.py)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from backend.api import error_response
from events.models import Campaign
from events.selectors import moderation_territories
from network.auth import viewer
from observatory.campaign import KIND, public_key, territory_key
from observatory.snapshots import in_language, snapshot_read, snapshot_request
from observatory.tables import LICENCE, LICENCE_URL

SCOPES = ("public", "territory")

EditionSerializer = inline_serializer("CampaignEdition", {
    "slug": serializers.CharField(), "title": serializers.CharField(),
    "starts_on": serializers.DateField(), "ends_on": serializers.DateField()})

CampaignFiguresSerializer = inline_serializer("CampaignFigures", {
    "campaign": EditionSerializer,
    "previous_edition": inline_serializer("CampaignPreviousEdition", {
        "slug": serializers.CharField(), "title": serializers.CharField(),
        "starts_on": serializers.DateField(), "ends_on": serializers.DateField()}, allow_null=True),
    "territory": serializers.JSONField(allow_null=True, help_text=(
        "null for the public figures; \"*\" (everywhere) or the list of regions for a coordinator's")),
    "computed_at": serializers.DateTimeField(),
    "licence": serializers.CharField(),
    "licence_url": serializers.URLField(),
    "tables": inline_serializer("FiguresTable", {
        "slug": serializers.CharField(), "title": serializers.CharField(),
        "headers": serializers.ListField(child=serializers.CharField()),
        "rows": serializers.ListField(child=serializers.ListField(child=serializers.JSONField(), help_text=(
            "the row's label, then its values: a number, \"< 5\" for 1 to 4 people, \"—\" for a "
            "rate computed on fewer than 5 people")))}, many=True),
})

ComputingSerializer = inline_serializer("FiguresComputing", {
    "code": serializers.CharField(), "detail": serializers.CharField()})


@extend_schema(
    parameters=[OpenApiParameter("scope", str, enum=list(SCOPES), description=(
        "public (default): the approved, published events; territory: for the campaign's "
        "coordinators, every event of their territory, drafts and refusals included"))],
    responses={200: CampaignFiguresSerializer, 202: ComputingSerializer})
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def campaign_figures(request, slug: str) -> Response:
    """A campaign's figures as tables (events by region, department, theme, format and week,
    organizations, registrations and attendance), beside its previous edition's. Counts of 1 to
    4 people read "< 5". Titles, headers and labels are in the language of Accept-Language
    (French or English). The public figures are open data under the Licence Ouverte. Answered
    202 while the first computation runs."""
    scope = request.query_params.get("scope", "public")
    if scope not in SCOPES:
        raise exceptions.ValidationError({"scope": [_("Choisir parmi %(choices)s.") % {
            "choices": ", ".join(SCOPES)}]})
    campaign = get_object_or_404(Campaign, slug=slug)
    key = public_key(campaign)
    if scope == "territory":
        territories = moderation_territories(viewer(request))
        if campaign.pk not in territories:
            raise exceptions.PermissionDenied(_("Réservé aux coordinateur·rices de la campagne."))
        key = territory_key(campaign, territories[campaign.pk])
    snapshot = snapshot_read(kind=KIND, key=key)
    if snapshot is None:
        snapshot_request(kind=KIND, key=key)
        return error_response("computing", _("Les chiffres de cette campagne sont en cours de calcul : "
                                             "revenez dans quelques minutes."), 202)
    data = in_language(snapshot.data)
    return Response({
        "campaign": data["campaign"], "previous_edition": data["previous_edition"],
        "territory": data["territory"], "computed_at": snapshot.computed_at,
        "licence": LICENCE, "licence_url": LICENCE_URL, "tables": data["tables"]})
