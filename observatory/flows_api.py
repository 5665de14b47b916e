"""``GET /api/v1/networks/<slug>/flows/?from=AAAA-MM&to=AAAA-MM``: a pass network's coworking
flows for machines, read from the worker's snapshot (``observatory.flows``).

Who reads them is the page's rule (:func:`observatory.flows.flows_reader`): the network's
coordinators and its spaces' managers, everyone once the network publishes them; a 404 for
anyone else. Counts of people from 1 to 4 are "< 5"; nobody is named.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from observatory import flows
from observatory.snapshots import snapshot_read, snapshot_request
from passes.models import PassNetwork

# The months the API takes (1970-01 to 2100-12, as every date of backend/validators.py).
MONTH_PATTERN = r"^(19[7-9][0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
SMALL = "Un nombre de personnes, ou « < 5 » pour 1 à 4 personnes."


class FlowsSpaceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class FlowsCellSerializer(serializers.Serializer):
    issuing_space = serializers.CharField()
    host_space = serializers.CharField()
    visit_days = serializers.JSONField(help_text=SMALL)


class FlowsMembersSerializer(serializers.Serializer):
    month = serializers.CharField()
    members = serializers.JSONField(help_text=SMALL)
    multi_space = serializers.JSONField(help_text=SMALL)
    multi_space_percent = serializers.IntegerField(
        allow_null=True, help_text="Vide quand la part révélerait un effectif de moins de 5.")


class FlowsFirstElsewhereSerializer(serializers.Serializer):
    month = serializers.CharField()
    members = serializers.JSONField(help_text=SMALL)


class FlowsPresencesSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = lundi … 6 = dimanche.")
    hour = serializers.IntegerField(help_text="Heure locale de l'espace, 0 à 23.")
    presences = serializers.JSONField(help_text=SMALL)


class FlowsSerializer(serializers.Serializer):
    network = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True,
                                            help_text="Vide tant que le premier calcul n'est pas fait.")
    pending = serializers.BooleanField(help_text="Un calcul est demandé et pas encore fait.")
    spaces = FlowsSpaceSerializer(many=True)
    matrix = FlowsCellSerializer(many=True)
    members = FlowsMembersSerializer(many=True)
    first_elsewhere = FlowsFirstElsewhereSerializer(many=True)
    occupancy = FlowsPresencesSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword: these two fields are named here.
        fields["from"] = serializers.CharField()
        fields["to"] = serializers.CharField()
        fields["space"] = serializers.CharField(allow_null=True, help_text="L'espace des présences, "
                                                                           "vide pour tout le réseau.")
        return fields


class FlowsView(APIView):
    """Visit-days by issuing × host space, members in several spaces, first visits
    elsewhere (per month) and presences by weekday and hour (of the network, or of ``space``)
    over the months asked for (the last twelve by default). A bad month is a 400 naming
    ``from`` or ``to``; a space not of the network, a 400 naming ``space``."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="network_flows",
        parameters=[OpenApiParameter("from", str, pattern=MONTH_PATTERN, description="AAAA-MM"),
                    OpenApiParameter("to", str, pattern=MONTH_PATTERN, description="AAAA-MM"),
                    OpenApiParameter("space", str, description="Les présences de cet espace du réseau "
                                                               "(son identifiant) ; tout le réseau sinon.")],
        responses=FlowsSerializer)
    def get(self, request, slug: str):
        network = get_object_or_404(PassNetwork, slug=slug)
        if flows.flows_reader(request.user, network) is None:
            raise NotFound
        first, last = flows.month_range(first=request.query_params.get("from"),
                                        last=request.query_params.get("to"),
                                        today=timezone.localdate())
        snapshot = snapshot_read(kind=flows.KIND, key=network.slug)
        if snapshot is None:
            snapshot_request(kind=flows.KIND, key=network.slug)
        data = snapshot.data if snapshot else {}
        space = flows.space_chosen(data, request.query_params.get("space"))
        figures = flows.figures(data, first=first, last=last, space=space, draw=False)
        return Response({
            "network": network.slug,
            "computed_at": serializers.DateTimeField().to_representation(snapshot.computed_at)
            if snapshot and snapshot.computed_at else None,
            "pending": snapshot is None or snapshot.requested_at is not None,
            **figures.api,
        })
