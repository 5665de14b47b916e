"""API for campaigns, events, series and registrations. Views stay thin: rules live in services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from backend.api import SlugRelatedField, StrictModelSerializer, StrictSerializer
from backend.filters import IdFilter, UTCDateTimeFilter
from backend.links import FeedLinksMixin, absolute_url
from backend.spreadsheet import csv_response
from backend.throttling import RegistrationRateThrottle
from backend.validators import ID_MAX, single_line
from events import attendance, images, selectors, services
from events.models import (
    Audience,
    Campaign,
    CoOrganization,
    Event,
    EventFormat,
    EventMessage,
    EventStatus,
    Moderation,
    ModerationDecision,
    Registration,
    RegistrationStatus,
    Series,
    Theme,
)
from network.auth import signed_in, viewer
from network.models import Organization, Role
from network.selectors import organization_ids_for
from network.territories import DEPARTMENTS, REGIONS
from spaces.models import Room, Space

# Cancelling has its own action, which asks for a reason.
EDITABLE_STATUSES = [(EventStatus.DRAFT, EventStatus.DRAFT.label),
                     (EventStatus.PUBLISHED, EventStatus.PUBLISHED.label)]

# --- campaigns --------------------------------------------------------------


class CampaignSerializer(FeedLinksMixin, StrictModelSerializer):
    coordinators = SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(), many=True, allow_empty=False)
    approved_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "title", "slug", "description", "coordinators", "starts_on", "ends_on",
                  "submissions_open_on", "submissions_close_on", "label", "moderation_required",
                  "resubmit_on_source_change", "approved_count", "feed_url", "webcal_url",
                  "google_calendar_url", "created_at", "updated_at"]
        read_only_fields = ["id", "approved_count", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False}}

    def feed_path(self, campaign: Campaign) -> str:
        """The campaign's approved events."""
        return reverse("feeds:campaign", kwargs={"slug": campaign.slug})


class AttendanceFiguresSerializer(serializers.Serializer):
    events = serializers.IntegerField(help_text="Approved events with confirmed registrations.")
    events_checked_in = serializers.IntegerField(help_text="Those whose door checked someone in.")
    confirmed = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_shows = serializers.IntegerField(help_text="Confirmed, never checked in, at events that have started.")


class DepartmentAttendanceSerializer(AttendanceFiguresSerializer):
    department = serializers.CharField()


class CampaignAttendanceSerializer(AttendanceFiguresSerializer):
    by_department = DepartmentAttendanceSerializer(many=True)


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Campaigns (the Mois de l'ESS): public to read; their coordinators create and edit them."""

    serializer_class = CampaignSerializer
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["moderation_required"]
    ordering_fields = ["starts_on", "title", "created_at"]

    def get_queryset(self):
        return selectors.campaigns_visible()

    def perform_create(self, serializer):
        campaign = services.campaign_create(actor=signed_in(self.request), **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=campaign.pk)

    def perform_update(self, serializer):
        campaign = services.campaign_update(actor=signed_in(self.request), campaign=serializer.instance,
                                            **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=campaign.pk)

    @extend_schema(responses=CampaignAttendanceSerializer)
    @action(detail=True, methods=["get"])
    def attendance(self, request, slug=None):
        """For the campaign's coordinators: registrations and attendance at the door of its
        approved events, in total and by department (events with registrations only)."""
        campaign = self.get_object()
        if not selectors.can_moderate(request.user, campaign):
            self.permission_denied(request, message=gettext("Réservé aux coordinateur·rices de la campagne."))
        return Response(CampaignAttendanceSerializer(selectors.campaign_attendance(campaign)).data)


# --- events -----------------------------------------------------------------


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name"]


class RoomRefSerializer(serializers.ModelSerializer):
    space: serializers.SlugRelatedField[Space] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    space_name = serializers.CharField(source="space.name", read_only=True)
    address = serializers.CharField(source="space.address", read_only=True)

    class Meta:
        model = Room
        fields = ["id", "name", "space", "space_name", "address"]


class CoOrganizationStateSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = CoOrganization
        fields = ["organization", "status", "requested_at", "decided_at"]


class EventSerializer(serializers.ModelSerializer):
    """An event as read. The moderation comment is shown to its organizers and coordinators only,
    and so are ``co_organization_requests``: the organizations invited that have not accepted
    (pending) or declined. ``co_organizers`` are those that accepted."""

    organization = OrganizationRefSerializer(read_only=True)
    co_organizers = OrganizationRefSerializer(many=True, read_only=True)
    co_organization_requests = CoOrganizationStateSerializer(
        source="open_co_organizations", many=True, read_only=True,
        help_text="To the event's organizers only: invited organizations that have not accepted.")
    themes: serializers.SlugRelatedField[Theme] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True)
    campaign: serializers.SlugRelatedField[Campaign] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True,
        help_text="Null to the public until the campaign approves the event.")
    room = RoomRefSerializer(read_only=True, allow_null=True)
    # A declared field, which DRF's metaclass takes out of the class: not Field.label.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    confirmed_count = serializers.IntegerField(read_only=True)
    waitlist_count = serializers.IntegerField(read_only=True)
    can_edit = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField(help_text="Download this event (\"Ajouter à mon agenda\").")
    image_url = serializers.SerializerMethodField(
        help_text="The image (JPEG, at most 1600 pixels a side), or empty; its address never changes.")
    thumbnail_url = serializers.SerializerMethodField(help_text="The image at most 480 pixels a side.")

    class Meta:
        model = Event
        fields = [
            "id", "slug", "title", "description", "format", "themes", "audience", "accessibility",
            "price_text", "online_url", "image_url", "thumbnail_url", "image_alt", "organization",
            "co_organizers", "co_organization_requests",
            "status", "cancel_reason",
            "cancelled_at", "campaign", "moderation", "moderation_comment", "label", "starts_at",
            "ends_at", "time_zone", "all_day", "room", "address", "latitude", "longitude", "region",
            "department", "commune_insee", "capacity", "registration_opens_at",
            "registration_closes_at", "confirmed_count", "waitlist_count", "series", "recurrence_id",
            "sequence", "reminders", "can_edit", "ics_url", "created_at", "updated_at",
        ]
        extra_kwargs = {
            "moderation": {"help_text": "To the event's organizers and the campaign's coordinators only."},
        }

    def get_ics_url(self, event: Event) -> str:
        return settings.SITE_URL + reverse("feeds:event", kwargs={"pk": event.pk})

    def get_image_url(self, event: Event) -> str:
        return absolute_url(event.image_url) if event.image else ""

    def get_thumbnail_url(self, event: Event) -> str:
        return absolute_url(event.thumb_url) if event.image else ""

    def get_can_edit(self, event: Event) -> bool:
        return selectors.can_organize(self.context["request"].user, event)

    def to_representation(self, event: Event) -> dict:
        data = super().to_representation(event)
        # Shown in the event's own zone: an event in Cayenne reads 09:00-03:00, not 13:00+01:00.
        zone = event.zone
        for name in ("starts_at", "ends_at"):
            data[name] = getattr(event, name).astimezone(zone).isoformat()
        user = self.context["request"].user
        if not data["can_edit"]:
            data.pop("co_organization_requests")
        if not (data["can_edit"] or selectors.can_moderate(user, event.campaign)):
            # Moderation is between organizers and coordinators: the public sees the campaign
            # only once the event is approved, and no moderation state at all.
            data.pop("moderation_comment")
            data.pop("moderation")
            if event.moderation != Moderation.APPROVED:
                data["campaign"] = None
        return data


class ClashSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    place = serializers.SerializerMethodField(help_text="\"Roubaix (Nord), Hauts-de-France\"")

    class Meta:
        model = Event
        fields = ["id", "title", "starts_at", "ends_at", "organization", "commune_insee", "place"]

    def get_place(self, event: Event) -> str:
        return selectors.place_of(event)["display"]


class EventUpdateSerializer(StrictModelSerializer):
    co_organizers = SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(), many=True, required=False,
        help_text="Organizations invited to co-organize: each new one is asked and becomes a "
                  "co-organizer once its organizers accept. Leaving one out withdraws its request.")
    themes = SlugRelatedField(slug_field="slug", queryset=Theme.objects.all(), many=True,
                                          required=False)
    campaign = SlugRelatedField(slug_field="slug", queryset=Campaign.objects.all(),
                                            allow_null=True, required=False)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), allow_null=True, required=False)
    status = serializers.ChoiceField(choices=EDITABLE_STATUSES, required=False)
    reminders = serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=5, required=False,
        help_text="When registrants are reminded: \"1d@09:00\" (the day before at 9:00 local time), "
                  "\"2h\" or \"30m\" (before the start). Default: [\"1d@09:00\", \"2h\"].")

    class Meta:
        model = Event
        fields = [
            "title", "description", "format", "themes", "audience", "accessibility", "price_text",
            "online_url", "image_alt", "co_organizers", "status", "campaign", "starts_at", "ends_at",
            "time_zone",
            "all_day", "room", "address", "latitude", "longitude", "region", "department",
            "commune_insee", "capacity", "registration_opens_at", "registration_closes_at", "reminders",
        ]


class EventCreateSerializer(EventUpdateSerializer):
    organization = SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())

    class Meta(EventUpdateSerializer.Meta):
        fields = ["organization", *EventUpdateSerializer.Meta.fields]


class ImageSerializer(StrictSerializer):
    image = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; re-encoded as JPEG without metadata.")
    image_alt = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                      validators=[single_line],
                                      help_text="What the image shows, for people who do not see it.")

    def validate_image(self, upload) -> images.PreparedImage:
        try:
            return images.prepare(upload)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class CancelSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class ModerationSerializer(StrictSerializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class RegistrationCreateSerializer(StrictSerializer):
    name = serializers.CharField(
        max_length=150, required=False, validators=[single_line],
        help_text="Required without an account; with one, defaults to your name.")
    email = serializers.EmailField(
        required=False,
        help_text="Required without an account; with one, your account's address is used.")


class RegistrationResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "status", "position"]


class RegistrationSerializer(serializers.ModelSerializer):
    event: serializers.PrimaryKeyRelatedField[Event] = serializers.PrimaryKeyRelatedField(read_only=True)
    event_title = serializers.CharField(source="event.title", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "event", "event_title", "name", "email", "status", "position", "code",
                  "email_confirmed_at", "created_at", "promoted_at", "cancelled_at", "checked_in_at"]


class RegistrationQuerySerializer(serializers.Serializer):
    # Not "q" nor "status": the event itself is looked up through the event filters.
    search = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                   help_text="Part of the name or address, or the entry code.")
    registration_status = serializers.ChoiceField(
        choices=[*RegistrationStatus.values, "active", "all"], required=False,
        help_text="One status, ``active`` (confirmed and waitlisted) or ``all`` (the default).")


class RegistrationAddSerializer(StrictSerializer):
    name = serializers.CharField(max_length=150, validators=[single_line])
    email = serializers.EmailField()


class AttendanceSerializer(serializers.Serializer):
    confirmed = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    attended = serializers.IntegerField(help_text="Confirmed registrations checked in at the door.")
    no_shows = serializers.IntegerField(
        allow_null=True, help_text="Confirmed, never checked in; null until the event starts.")


class DoorCheckInRequestSerializer(StrictSerializer):
    code = serializers.CharField(max_length=32, help_text="The registration's entry code (8 characters).")


class DoorCheckInSerializer(serializers.Serializer):
    first_time = serializers.BooleanField(help_text="False when this code was already checked in.")
    checked_in_at = serializers.DateTimeField(source="at")
    registration = RegistrationSerializer()


class EventMessageSerializer(serializers.ModelSerializer):
    sent_by = serializers.SerializerMethodField()

    class Meta:
        model = EventMessage
        fields = ["id", "audience", "subject", "body", "recipients", "sent_by", "created_at"]

    def get_sent_by(self, message: EventMessage) -> str:
        return message.sent_by.get_full_name() if message.sent_by else ""


class EventMessageCreateSerializer(StrictSerializer):
    audience = serializers.ChoiceField(choices=Audience.choices)
    subject = serializers.CharField(max_length=150, validators=[single_line])
    body = serializers.CharField(max_length=5000)
    key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$", required=False,
        help_text="Identifies this submission: sending the same key again sends nothing more. "
                  "Without one, the same text to the same audience is the same message.")


class ModerationDecisionSerializer(serializers.ModelSerializer):
    campaign: serializers.SlugRelatedField[Campaign] = serializers.SlugRelatedField(slug_field="slug",
                                                                                    read_only=True)
    decided_by = serializers.SerializerMethodField(help_text="The coordinator's name (\"\" once their "
                                                             "account is deleted).")

    class Meta:
        model = ModerationDecision
        fields = ["decision", "comment", "decided_by", "decided_at", "campaign"]

    def get_decided_by(self, decision: ModerationDecision) -> str:
        return decision.decided_by.get_full_name() if decision.decided_by else ""


class PlaceSerializer(serializers.Serializer):
    """Where an event takes place, by name (``events.selectors.place_of``)."""

    commune = serializers.CharField(help_text="The commune its address names (\"\" when none).")
    commune_insee = serializers.CharField()
    department = serializers.CharField()
    department_name = serializers.CharField()
    region = serializers.CharField()
    display = serializers.CharField(help_text="\"Lille (Nord), Hauts-de-France\"")

    def to_representation(self, event: Event) -> dict:
        return selectors.place_of(event)


class QueueItemSerializer(serializers.ModelSerializer):
    """An event in the moderation queue: when, where, by whom, its clash hints and its history."""

    campaign: serializers.SlugRelatedField[Campaign] = serializers.SlugRelatedField(slug_field="slug",
                                                                                    read_only=True)
    place = PlaceSerializer(source="*", read_only=True)
    organizers = serializers.SerializerMethodField()
    clash_hints = serializers.SerializerMethodField()
    decisions = ModerationDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Event
        fields = ["id", "slug", "title", "status", "campaign", "moderation", "moderation_comment",
                  "starts_at", "ends_at", "time_zone", "place", "organizers", "clash_hints", "decisions"]

    def get_organizers(self, event: Event) -> list[dict]:
        """The lead organization first, then the co-organizers."""
        organizations = [event.organization, *event.co_organizers.all()]
        return list(OrganizationRefSerializer(organizations, many=True).data)

    @extend_schema_field(ClashSerializer(many=True))
    def get_clash_hints(self, event: Event) -> list[dict]:
        return list(ClashSerializer(self.context["clash_hints"].get(event.pk, []), many=True).data)

    def to_representation(self, event: Event) -> dict:
        data = super().to_representation(event)
        for name in ("starts_at", "ends_at"):
            data[name] = getattr(event, name).astimezone(event.zone).isoformat()
        return data


class QueueQuerySerializer(serializers.Serializer):
    """The queue's filters (``page`` and ``page_size`` are the pagination's)."""

    moderation = serializers.ChoiceField(
        choices=[*Moderation.choices[1:], ("all", _("Tous"))], default=Moderation.PENDING,
        help_text="pending (default), approved, rejected or all.")
    campaign = serializers.SlugField(required=False)
    region = serializers.ChoiceField(choices=list(REGIONS), required=False)
    department = serializers.ChoiceField(choices=list(DEPARTMENTS), required=False)


class BulkDecisionSerializer(StrictSerializer):
    events = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
                                   min_length=1, max_length=200, help_text="Ids of the events to decide on.")
    decision = serializers.ChoiceField(choices=[("approve", _("Approuver")), ("reject", _("Refuser"))])
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                    help_text="Required to refuse; sent to each event's organizers.")


class EventFilter(filters.FilterSet):
    campaign = filters.CharFilter(field_name="campaign__slug",
                                  label=_("Campagne (événements approuvés, sauf si moderation est donné)"))
    moderation = filters.ChoiceFilter(
        choices=Moderation.choices,
        label=_("État de modération (hors « approved » : les événements que vous organisez ou modérez)"))
    organization = filters.CharFilter(method="by_organization", label=_("Structure (ou co-organisatrice)"))
    theme = filters.CharFilter(field_name="themes__slug")
    format = filters.ChoiceFilter(choices=EventFormat.choices)
    status = filters.ChoiceFilter(choices=EventStatus.choices)
    territory = filters.CharFilter(method="by_territory", label=_("Région, département ou code INSEE"))
    space = filters.CharFilter(field_name="room__space__slug")
    series = IdFilter(field_name="series_id")
    starts_after = UTCDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = UTCDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    q = filters.CharFilter(method="search", label=_("Recherche plein texte"))

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        moderation = self.form.cleaned_data.get("moderation")
        # Under a campaign only approved events appear, unless a moderation state is asked for.
        if self.form.cleaned_data.get("campaign") and not moderation:
            queryset = queryset.filter(moderation=Moderation.APPROVED)
        # Another state than approved is only for the events' organizers and the campaign's
        # coordinators: the public cannot list pending or refused events.
        if moderation and moderation != Moderation.APPROVED:
            user = self.request.user if self.request is not None else None
            queryset = queryset.filter(selectors.moderation_visible_to(user))
        return queryset

    def by_organization(self, queryset, name, value):
        ids = Organization.objects.filter(slug=value).values("id")
        return queryset.filter(selectors.events_organized_by(ids))

    def by_territory(self, queryset, name, value):
        return queryset.filter(Q(region=value) | Q(department=value) | Q(commune_insee=value))

    def search(self, queryset, name, value):
        """Words in the title or description, and on PostgreSQL whatever the accents ("cafe"
        finds "Café") and by French full text (stems: "coopératives" finds "coopérative")."""
        words = Q(title__icontains=value) | Q(description__icontains=value)
        if connection.vendor == "postgresql":
            words = Q(title__unaccent__icontains=value) | Q(description__unaccent__icontains=value)
            matching = Event.objects.annotate(
                document=SearchVector("title", "description", "audience", config="french")
            ).filter(document=SearchQuery(value, config="french", search_type="websearch"))
            words |= Q(id__in=matching.values("id"))
        return queryset.filter(words)


class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Events: published and cancelled ones are public; drafts only show to their organizers.

    Writes check the caller's role on the event in the services (403); events
    the caller may not see answer 404.
    """

    serializer_class = EventSerializer
    filterset_class = EventFilter
    accepts_upload = True  # the image (see backend.middleware.BodySizeMiddleware)
    ordering_fields = ["starts_at", "ends_at", "title", "created_at", "updated_at"]
    ordering = ["starts_at", "id"]

    def get_queryset(self):
        return selectors.event_list(viewer(self.request))

    def get_serializer_class(self):
        return {"create": EventCreateSerializer, "partial_update": EventUpdateSerializer}.get(
            self.action, EventSerializer)

    def _answer(self, event: Event, status_code: int = 200, *, hints: bool = False) -> Response:
        event = self.get_queryset().get(pk=event.pk)
        data = EventSerializer(event, context=self.get_serializer_context()).data
        if hints:
            data["clash_hints"] = ClashSerializer(selectors.clash_hints(event), many=True).data
        return Response(data, status=status_code)

    @extend_schema(request=EventCreateSerializer, responses={201: EventSerializer})
    def create(self, request, *args, **kwargs):
        """Create an event for one of your organizations; the answer lists ``clash_hints``."""
        serializer = EventCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        event = services.event_create(actor=request.user, **serializer.validated_data)
        return self._answer(event, status.HTTP_201_CREATED, hints=True)

    @extend_schema(request=EventUpdateSerializer, responses=EventSerializer)
    def partial_update(self, request, *args, **kwargs):
        event = self.get_object()
        self._check_organizer(event)
        serializer = EventUpdateSerializer(data=request.data, partial=True,
                                           context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        event = services.event_update(actor=request.user, event=event, **serializer.validated_data)
        return self._answer(event, hints=True)

    @extend_schema(methods=["PUT"], request={"multipart/form-data": ImageSerializer},
                   responses=EventSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses=EventSerializer)
    @action(detail=True, methods=["put", "delete"], parser_classes=[MultiPartParser])
    def image(self, request, pk=None):
        """PUT a multipart ``image`` (with an optional ``image_alt``): it is checked (size, type,
        pixels), re-encoded without metadata and shown on the page; DELETE takes it away."""
        event = self.get_object()
        self._check_organizer(event)
        if request.method == "DELETE":
            event = services.event_update(actor=request.user, event=event, image="")
            return self._answer(event)
        data = ImageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_update(actor=request.user, event=event, **data.validated_data)
        return self._answer(event)

    @extend_schema(request=CancelSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel with a reason: the event stays listed as cancelled and registration closes."""
        event = self.get_object()
        self._check_organizer(event)
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_cancel(actor=request.user, event=event, **data.validated_data)
        return self._answer(event)

    @extend_schema(request=ModerationSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A coordinator of the event's campaign approves it: it carries the label."""
        return self._moderate(request, approve=True)

    @extend_schema(request=ModerationSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """A coordinator of the event's campaign rejects it, with a comment for its organizers."""
        return self._moderate(request, approve=False)

    def _moderate(self, request, *, approve: bool) -> Response:
        event = self.get_object()
        # Who may moderate is decided before what they sent is read: a coordinator learns
        # that the event is outside any campaign, anyone else only that moderation is not theirs.
        if event.campaign is None and organization_ids_for(request.user, Role.COORDINATOR):
            raise services.NotInCampaign()
        if not selectors.can_moderate_event(request.user, event):
            self.permission_denied(request, message=gettext(
                "Réservé aux coordinateur·rices de la campagne, sur leur territoire."))
        data = ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_moderate(actor=request.user, event=event, approve=approve,
                                        **data.validated_data)
        return self._answer(event)

    @extend_schema(responses=ModerationDecisionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def decisions(self, request, pk=None):
        """The event's moderation history, latest first: for its organizers and its campaign's
        coordinators."""
        event = self.get_object()
        if not (selectors.can_organize(request.user, event)
                or selectors.can_moderate(request.user, event.campaign)):
            self.permission_denied(request, message=str(_(
                "Réservé aux organisateur·rices de l'événement et aux coordinateur·rices de sa campagne.")))
        return Response(ModerationDecisionSerializer(selectors.decisions_of(event), many=True).data)

    @extend_schema(methods=["GET"], responses=RegistrationSerializer(many=True),
                   parameters=[RegistrationQuerySerializer])
    @extend_schema(methods=["POST"], request=RegistrationCreateSerializer,
                   responses={201: RegistrationResultSerializer})
    @action(detail=True, methods=["get", "post"], permission_classes=[permissions.AllowAny],
            throttle_classes=[RegistrationRateThrottle])
    def registrations(self, request, pk=None):
        """POST registers you (or a name and email without an account); GET lists them (organizers),
        searched with ``search`` and filtered by ``registration_status``."""
        event = self.get_object()
        if request.method == "GET":
            self._check_organizer(event)
            query = RegistrationQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            wanted = query.validated_data.get("registration_status", "all")
            rows = selectors.registrations_search(event, query=query.validated_data.get("search", ""),
                                                  status="" if wanted == "active" else wanted)
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(RegistrationSerializer(page, many=True).data)
        data = RegistrationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = request.user if request.user.is_authenticated else None
        registration = services.registration_create(event=event, person=person, **data.validated_data)
        return Response(RegistrationResultSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"], url_path="registrations/export")
    def export(self, request, pk=None):
        """The event's registrations as CSV for a French spreadsheet (semicolons, dates in the
        event's zone, formulas made inert), for its organizers."""
        event = self.get_object()
        self._check_organizer(event)
        started = event.starts_at <= timezone.now()
        return csv_response(
            f"inscriptions-{event.slug}.csv",
            ["nom", "e-mail", "code", "statut", "rang", "présence", "inscrit·e le",
             "passé·e de l'attente le", "entré·e le", "annulé·e le"],
            ([r.name, r.email, r.code, r.get_status_display(), r.position,
              selectors.presence(r, started=started), r.created_at, r.promoted_at, r.checked_in_at,
              r.cancelled_at] for r in selectors.registrations_of(event)),
            zone=event.time_zone)

    @extend_schema(request=RegistrationAddSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"], url_path="registrations/add")
    def add_registration(self, request, pk=None):
        """An organizer registers someone by hand (name and email): a seat if one is left, else the
        waitlist; the registration window does not apply. The person gets the usual emails."""
        event = self.get_object()
        self._check_organizer(event)
        data = RegistrationAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = services.registration_create(event=event, added_by=request.user,
                                                    **data.validated_data)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AttendanceSerializer)
    @action(detail=True, methods=["get"], url_path="attendance")
    def attendance(self, request, pk=None):
        """Counts of registrations and of attendance at the door, for the event's organizers."""
        event = self.get_object()
        self._check_organizer(event)
        return Response(AttendanceSerializer(selectors.attendance_of(event)).data)

    @extend_schema(request=DoorCheckInRequestSerializer,
                   responses={201: DoorCheckInSerializer, 200: DoorCheckInSerializer})
    @action(detail=True, methods=["post"], url_path="check-ins")
    def check_in(self, request, pk=None):
        """Check a registrant in at the door by entry code: 201 the first time, 200 with
        ``first_time: false`` after that. Refusals: 404 ``unknown_code``, 409 ``wrong_event``,
        ``registration_cancelled``, ``waitlisted``, ``event_cancelled``."""
        event = self.get_object()
        self._check_organizer(event)
        data = DoorCheckInRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = attendance.registration_check_in(actor=request.user, event=event, **data.validated_data)
        return Response(DoorCheckInSerializer(entry).data,
                        status=status.HTTP_201_CREATED if entry.first_time else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"check-ins/(?P<code>[A-Za-z0-9-]{1,32})")
    def check_in_undo(self, request, pk=None, code=None):
        """Take back an entry recorded by mistake: the registration is no longer checked in
        (404 ``unknown_code`` when the code is not one of this event's)."""
        event = self.get_object()
        self._check_organizer(event)
        attendance.registration_check_in_undo(actor=request.user, event=event, code=code)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=EventMessageSerializer(many=True))
    @extend_schema(methods=["POST"], request=EventMessageCreateSerializer,
                   responses={201: EventMessageSerializer, 200: EventMessageSerializer})
    @action(detail=True, methods=["get", "post"], url_path="messages")
    def messages(self, request, pk=None):
        """The organizers' messages to registrants: POST writes to ``confirmed``, ``waitlisted`` or
        ``all`` (201; 200 when its ``key`` was already sent; 429 ``message_limit`` beyond
        5 in 24 hours); GET lists those sent."""
        event = self.get_object()
        self._check_organizer(event)
        if request.method == "GET":
            page = self.paginate_queryset(selectors.event_messages_of(event))
            return self.get_paginated_response(EventMessageSerializer(page, many=True).data)
        data = EventMessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, created = attendance.registrants_write(actor=request.user, event=event,
                                                        **data.validated_data)
        return Response(EventMessageSerializer(message).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _check_organizer(self, event: Event) -> None:
        """Refuse before reading the body: a stranger learns nothing from validation errors."""
        if not selectors.can_organize(viewer(self.request), event):
            self.permission_denied(self.request,
                                   message=gettext("Réservé aux organisateur·rices de l'événement."))


# --- moderation ---------------------------------------------------------------


class ModerationViewSet(viewsets.GenericViewSet):
    """The moderation queue of campaign coordinators, within their territory (the region of the
    coordinating organization; everywhere for one without a region)."""

    serializer_class = QueueItemSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Event.objects.none()

    def _check_coordinator(self) -> None:
        if not organization_ids_for(self.request.user, Role.COORDINATOR):
            self.permission_denied(self.request,
                                   message=str(_("Réservé aux coordinateur·rices des campagnes.")))

    def _items(self, events) -> Any:
        context = {**self.get_serializer_context(), "clash_hints": selectors.clash_hints_for(events)}
        return QueueItemSerializer(events, many=True, context=context).data

    @extend_schema(parameters=[QueueQuerySerializer], responses=QueueItemSerializer(many=True))
    def list(self, request):
        """Events submitted to the campaigns you coordinate, in your territory, by date:
        pending ones unless ``moderation`` says otherwise."""
        self._check_coordinator()
        query = QueueQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        filters_ = dict(query.validated_data)
        if filters_["moderation"] == "all":
            filters_["moderation"] = ""
        page = self.paginate_queryset(selectors.moderation_queue(request.user, **filters_))
        return self.get_paginated_response(self._items(page))

    @extend_schema(request=BulkDecisionSerializer, responses=QueueItemSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)
    def decide(self, request):
        """Approve or refuse several events at once, with one comment (required to refuse).
        All or none: an event outside your campaigns or territory refuses the whole request
        (403, naming it); each event's organizers are told once."""
        self._check_coordinator()
        data = BulkDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["events"])
        events = list(selectors.events_visible_to(request.user).filter(pk__in=ids))
        if missing := sorted(ids - {event.pk for event in events}):
            raise serializers.ValidationError({"events": [
                _("Événements introuvables : %(ids)s.") % {"ids": ", ".join(map(str, missing))}]})
        services.events_moderate(actor=request.user, events=events,
                                 approve=data.validated_data["decision"] == "approve",
                                 comment=data.validated_data.get("comment", ""))
        decided = list(selectors.moderation_queue(request.user, moderation="").filter(pk__in=ids))
        return Response(self._items(decided))


# --- co-organization ----------------------------------------------------------


class CoOrganizationSerializer(serializers.ModelSerializer):
    """A request to co-organize an event, as the invited organization reads it."""

    organization = OrganizationRefSerializer(read_only=True)
    event = serializers.SerializerMethodField()
    requested_by = serializers.SerializerMethodField()

    class Meta:
        model = CoOrganization
        fields = ["id", "organization", "event", "status", "requested_by", "requested_at", "decided_at"]

    def get_event(self, request: CoOrganization) -> dict:
        event = request.event
        return {"id": event.id, "slug": event.slug, "title": event.title,
                "organization": OrganizationRefSerializer(event.organization).data,
                "starts_at": event.starts_at.astimezone(event.zone).isoformat(),
                "ends_at": event.ends_at.astimezone(event.zone).isoformat(), "status": event.status}

    def get_requested_by(self, request: CoOrganization) -> str:
        return request.requested_by.get_full_name() if request.requested_by else ""


class CoOrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests to co-organize events, sent to the organizations you organize for (or administer).

    ``accept`` makes your organization a co-organizer (rights on the event, its
    feeds); ``decline`` refuses, or withdraws from an event accepted earlier. The
    lead organization is told either way.
    """

    serializer_class = CoOrganizationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status"]
    ordering_fields = ["requested_at"]
    queryset = CoOrganization.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.co_organization_requests_for(signed_in(self.request))

    def _decide(self, *, accept: bool) -> Response:
        answered = services.co_organization_decide(actor=signed_in(self.request),
                                                   co_organization=self.get_object(), accept=accept)
        return Response(self.get_serializer(self.get_queryset().get(pk=answered.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: your organization co-organizes the event (and the coming dates of its series)."""
        return self._decide(accept=True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline, or withdraw from an event accepted earlier (and the coming dates of its series)."""
        return self._decide(accept=False)


# --- series -----------------------------------------------------------------


class SeriesSerializer(serializers.ModelSerializer):
    organization: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    rule_text = serializers.CharField(read_only=True,
                                      help_text="The rule in words, in the language asked for.")
    events = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = ["id", "title", "organization", "rrule", "rule_text", "starts_at", "duration", "time_zone",
                  "events", "created_at", "updated_at"]

    def get_events(self, series: Series) -> list[dict]:
        return [{"id": e.id, "slug": e.slug, "starts_at": e.starts_at, "ends_at": e.ends_at,
                 "status": e.status} for e in series.events.all()]


class SeriesCreateSerializer(EventCreateSerializer):
    rrule = serializers.CharField(max_length=500)

    class Meta(EventCreateSerializer.Meta):
        fields = ["rrule", *EventCreateSerializer.Meta.fields]


class SeriesUpdateSerializer(EventUpdateSerializer):
    rrule = serializers.CharField(max_length=500, required=False)

    class Meta(EventUpdateSerializer.Meta):
        fields = ["rrule", *EventUpdateSerializer.Meta.fields]


class SeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recurring series (cafés métiers): each date is its own event; editing changes future dates only."""

    serializer_class = SeriesSerializer
    ordering_fields = ["starts_at", "title"]

    def get_queryset(self):
        visible = selectors.events_visible_to(viewer(self.request)).order_by("starts_at")
        return (selectors.series_visible_to(viewer(self.request)).select_related("organization")
                .prefetch_related(Prefetch("events", queryset=visible)))

    @extend_schema(request=SeriesCreateSerializer, responses={201: SeriesSerializer})
    def create(self, request, *args, **kwargs):
        """Create a series from an RRULE (with COUNT or UNTIL, at most 200 dates) and a first date."""
        serializer = SeriesCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        series = services.series_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=series.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=SeriesUpdateSerializer, responses=SeriesSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the series from now on; past dates and dates moved on their own keep their time."""
        series = self.get_object()
        serializer = SeriesUpdateSerializer(data=request.data, partial=True,
                                            context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.series_update(actor=request.user, series=series, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=series.pk)).data)


# --- registrations ----------------------------------------------------------


class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                          viewsets.GenericViewSet):
    """Your registrations; DELETE cancels one (yours, or one of an event you organize)."""

    queryset = Registration.objects.none()
    serializer_class = RegistrationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status", "event"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.registrations_visible_to(signed_in(self.request))

    def destroy(self, request, *args, **kwargs):
        services.registration_cancel(registration=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SecretRegistrationSerializer(serializers.ModelSerializer):
    event = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "name", "status", "position", "email_confirmed_at", "event"]

    def get_event(self, registration: Registration) -> dict:
        event = registration.event
        return {"id": event.id, "title": event.title, "starts_at": event.starts_at,
                "status": event.status}


@extend_schema(responses=SecretRegistrationSerializer)
class SecretRegistrationViewSet(viewsets.ViewSet):
    """The secret link sent by email: see, confirm (``POST confirm/``) or cancel (DELETE), no account."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "token"
    lookup_value_regex = r"[A-Za-z0-9_\-]{20,64}"

    def retrieve(self, request, token=None):
        registration = get_object_or_404(Registration.objects.select_related("event"), token=token)
        return Response(SecretRegistrationSerializer(registration).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request, token=None):
        get_object_or_404(Registration, token=token)
        registration = services.registration_confirm_email(token=token)
        return Response(SecretRegistrationSerializer(registration).data)

    def destroy(self, request, token=None):
        registration = get_object_or_404(Registration, token=token)
        services.registration_cancel(registration=registration, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
