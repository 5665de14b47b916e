"""The API of imported agendas: ``/api/v1/import-sources/``.

Thin: every write calls ``imports/services.py``, which checks the caller's roles.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api import SlugRelatedField, StrictModelSerializer, StrictSerializer
from events.models import Campaign, Theme
from imports import selectors, services
from imports.fetch import MAX_BYTES
from imports.models import Source, SourceKind
from network.auth import signed_in
from network.models import Organization


class ReportSerializer(serializers.Serializer):
    """What a sync or a preview found and did; ``ignored`` says why, row by row."""

    summary = serializers.CharField()
    found = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    not_modified = serializers.BooleanField()
    ignored = serializers.ListField(child=serializers.DictField())


def report_data(report: services.SyncReport | dict[str, Any]) -> dict[str, Any]:
    data = report.as_dict() if isinstance(report, services.SyncReport) else dict(report)
    return {**data, "summary": services.summary(data)} if data else {}


class FileField(serializers.FileField):
    """An uploaded agenda, read into bytes (at most the fetch limit)."""

    def to_internal_value(self, data):
        uploaded = super().to_internal_value(data)
        if uploaded.size > MAX_BYTES:
            raise serializers.ValidationError(_("Le fichier dépasse %(mb)s Mo.") % {"mb": MAX_BYTES // 2**20})
        return uploaded


class SourceSerializer(StrictModelSerializer):
    organization = SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    campaign = SlugRelatedField(slug_field="slug", queryset=Campaign.objects.all(), required=False,
                                allow_null=True)
    themes = SlugRelatedField(slug_field="slug", queryset=Theme.objects.all(), many=True, required=False)
    file = FileField(write_only=True, required=False, help_text=_("Le fichier .ics ou .csv (multipart)."))
    last_report = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ["id", "organization", "name", "kind", "url", "file", "upload_name", "format", "themes",
                  "campaign", "keyword", "time_zone", "interval_minutes", "paused", "last_checked_at",
                  "last_success_at", "last_error", "last_error_at", "failures", "next_sync_at", "last_report",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "upload_name", "paused", "last_checked_at", "last_success_at", "last_error",
                            "last_error_at", "failures", "next_sync_at", "created_at", "updated_at"]
        extra_kwargs = {"name": {"required": False}, "url": {"required": False}}

    @extend_schema(responses=ReportSerializer)
    def get_last_report(self, source: Source) -> dict[str, Any]:
        return report_data(source.last_report)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            # A source's organization and kind are set when it is added.
            fields["organization"].read_only = True
            fields["kind"].read_only = True
            fields["file"].read_only = True
        return fields


def _create_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = dict(data)
    uploaded = fields.pop("file", None)
    if uploaded is not None:
        fields["upload"], fields["upload_name"] = uploaded.read(), uploaded.name or ""
    return fields


class PauseSerializer(StrictSerializer):
    paused = serializers.BooleanField()


class UploadSerializer(StrictSerializer):
    file = FileField()


class SourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Agendas your organizations keep elsewhere, imported into the shared agenda.

    ``kind`` is ``url`` (an iCal address, synced by the worker every ``interval_minutes``),
    ``ics`` or ``csv`` (a file sent as ``file`` in a multipart body, read at once).
    ``preview`` answers what adding a source would import, without keeping anything.
    """

    serializer_class = SourceSerializer
    permission_classes = [permissions.IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_fields = ["kind", "paused"]
    ordering_fields = ["name", "created_at", "next_sync_at"]
    queryset = Source.objects.none()
    accepts_upload = True  # a file up to the fetch limit (see backend.middleware.BodySizeMiddleware)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.sources_managed_by(signed_in(self.request))

    def perform_create(self, serializer):
        fields = _create_fields(serializer.validated_data)
        source = services.source_create(actor=signed_in(self.request), **fields)
        if source.kind != SourceKind.URL:
            services.source_sync(source_id=source.pk)
        serializer.instance = self.get_queryset().get(pk=source.pk)

    def perform_update(self, serializer):
        source = services.source_update(actor=signed_in(self.request), source=serializer.instance,
                                        **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=source.pk)

    def perform_destroy(self, instance):
        services.source_delete(actor=signed_in(self.request), source=instance)

    @extend_schema(request=SourceSerializer, responses=ReportSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        """What adding this source would import (found, new, ignored and why); nothing is kept."""
        serializer = SourceSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        report = services.source_preview(actor=signed_in(request),
                                         **_create_fields(serializer.validated_data))
        return Response(report_data(report))

    @extend_schema(request=PauseSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """``{"paused": true}`` stops the syncs (the events stay); ``false`` resumes them."""
        source = self.get_object()  # before reading the body: a stranger learns nothing from its errors
        body = PauseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        source = services.source_pause(actor=signed_in(request), source=source,
                                       paused=body.validated_data["paused"])
        return Response(self.get_serializer(self.get_queryset().get(pk=source.pk)).data)

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Sync an address now (by the worker), reading it again even if unchanged."""
        services.source_sync_request(actor=signed_in(request), source=self.get_object())
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=UploadSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def upload(self, request, pk=None):
        """A new version of a file source, read at once: its events are updated, not added again."""
        source = self.get_object()
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        uploaded = body.validated_data["file"]
        source = services.source_upload(actor=signed_in(request), source=source, upload=uploaded.read(),
                                        upload_name=uploaded.name or "")
        return Response(report_data(services.source_sync(source_id=source.pk, force=True)))
