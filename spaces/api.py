"""Public API of spaces: the list with opening hours and live occupancy; managers edit hours."""

from __future__ import annotations

import re
from datetime import time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from backend.api import StrictModelSerializer, StrictSerializer
from backend.links import FeedLinksMixin
from network.models import Organization
from spaces import selectors, services
from spaces.models import Closure, OpeningHours, Room, Space

# Declared as patterns, not ``format: time`` (RFC 3339's, which carries an offset): hours are
# wall-clock times in the space's zone.
OPENS = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
CLOSES = r"^(([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?|24:00(:00)?)$"


@extend_schema_field({"type": "string", "pattern": OPENS, "example": "09:00:00",
                      "description": "HH:MM[:SS], local time of the space."})
class OpeningTimeField(serializers.TimeField):
    """An opening time, ``HH:MM[:SS]``."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.match(OPENS, value.strip()):
            self.fail("invalid", format="HH:MM[:SS]")
        return super().to_internal_value(value.strip())


@extend_schema_field({"type": "string", "pattern": CLOSES, "example": "18:00:00",
                      "description": "HH:MM[:SS], local time of the space; 24:00 for midnight at "
                                     "the end of the day."})
class ClosingTimeField(OpeningTimeField):
    """A closing time, where midnight at the end of the day reads and writes ``24:00`` (as
    ISO 8601 allows), stored as ``time.max`` (models.OpeningHours: a range ends before its
    closing time). DRF would show that as ``23:59:59.999999`` and refuse ``24:00``."""

    END_OF_DAY = frozenset({"24:00", "24:00:00"})

    def to_internal_value(self, value):
        if isinstance(value, str) and value.strip() in self.END_OF_DAY:
            return time.max
        return super().to_internal_value(value)

    def to_representation(self, value):
        return "24:00:00" if value == time.max else super().to_representation(value)


class OpeningHoursSerializer(StrictModelSerializer):
    opens = OpeningTimeField()
    closes = ClosingTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]
        # The overlap and order rules are the service's; the unique constraint
        # would otherwise pre-empt them with a generic message.
        validators: list = []


class ClosureSerializer(StrictModelSerializer):
    class Meta:
        model = Closure
        fields = ["id", "starts_on", "ends_on", "reason"]
        read_only_fields = ["id"]


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["slug", "name", "capacity", "equipment"]


class SpaceSerializer(FeedLinksMixin, serializers.ModelSerializer):
    operator: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    closures = ClosureSerializer(many=True, read_only=True)
    rooms = RoomSerializer(many=True, read_only=True)
    occupancy = serializers.IntegerField(read_only=True)
    open_now = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = [
            "id", "slug", "name", "operator", "address", "latitude", "longitude", "region",
            "department", "commune_insee", "time_zone", "desk_capacity", "occupancy", "open_now",
            "self_checkin_allowed", "amenities", "contact_email", "phone", "description",
            "opening_hours", "closures", "rooms", "feed_url", "webcal_url", "google_calendar_url",
        ]

    def feed_path(self, space: Space) -> str:
        """Events held in the space's rooms."""
        return reverse("feeds:space", kwargs={"slug": space.slug})

    def get_open_now(self, space: Space) -> bool:
        return space.is_open_at(self.context["now"])


class OpeningHoursSetSerializer(StrictSerializer):
    opening_hours = OpeningHoursSerializer(many=True)


class SpaceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Spaces, public: weekly hours, closures to come, live occupancy (open check-ins)."""

    serializer_class = SpaceSerializer
    lookup_field = "slug"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_fields = ["department", "commune_insee", "region"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.spaces_with_hours().order_by("name")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _managed_space(self, request) -> Space:
        space = self.get_object()
        if not selectors.can_manage_space(request.user, space):
            raise PermissionDenied(_("Réservé aux gestionnaires de l'espace."))
        return space

    @extend_schema(request=OpeningHoursSetSerializer, responses=SpaceSerializer)
    @action(detail=True, methods=["put"], url_path="opening-hours")
    def opening_hours(self, request, slug=None):
        """Replace the weekly hours; ranges of one day must not overlap and end after they start."""
        space = self._managed_space(request)
        data = OpeningHoursSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.opening_hours_set(space=space, ranges=[
            services.Range(**item) for item in data.validated_data["opening_hours"]
        ])
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=ClosureSerializer, responses={201: ClosureSerializer})
    @action(detail=True, methods=["post"])
    def closures(self, request, slug=None):
        """Add an exceptional closure (whole local days, both ends included)."""
        space = self._managed_space(request)
        data = ClosureSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        closure = services.closure_add(space=space, **data.validated_data)
        return Response(ClosureSerializer(closure).data, status=201)
