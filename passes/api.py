"""API of the coworking pass: networks, plans, passes, check-ins, settlements."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import segno
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import authentication, mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.services import pass_sell
from backend.api import (
    DateField,
    FormatParameterNegotiation,
    SlugRelatedField,
    StrictModelSerializer,
    StrictSerializer,
)
from backend.months import month_parse
from backend.spreadsheet import csv_bytes
from backend.validators import INT_MAX, date_in_range
from network.auth import signed_in, viewer
from network.models import Organization
from passes import selectors, services
from passes.models import VALIDITY_DAYS_MAX, CheckIn, Kiosk, Pass, PassNetwork, PassStatus, Period, Plan
from spaces.models import Space
from spaces.selectors import can_manage_space, space_ids_managed_by

# --- Kiosk authentication -----------------------------------------------------


class KioskAuthentication(authentication.BaseAuthentication):
    """``Authorization: Kiosk <token>``: the request acts as that kiosk (``request.auth``)."""

    keyword = "Kiosk"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("En-tête de borne invalide : « Kiosk <jeton> » attendu."))
        kiosk = selectors.kiosk_for_token(header[1].decode(errors="replace"))
        if kiosk is None:
            raise AuthenticationFailed(_("Jeton de borne inconnu ou révoqué."), code="invalid_kiosk_token")
        return AnonymousUser(), kiosk

    def authenticate_header(self, request):
        return self.keyword


class KioskAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = KioskAuthentication
    name = "kioskAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Kiosk <jeton de la borne>"}


class IsPersonOrKiosk(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated or isinstance(request.auth, Kiosk)


def _kiosk(request) -> Kiosk | None:
    return request.auth if isinstance(request.auth, Kiosk) else None


# --- Networks and plans -------------------------------------------------------


class PlanSerializer(StrictModelSerializer):
    network = SlugRelatedField(slug_field="slug", queryset=PassNetwork.objects.all())
    eligible_spaces = SlugRelatedField(slug_field="slug", many=True, required=False,
                                                   queryset=Space.objects.all())
    # Plain integers here so that zero or negative values reach the service,
    # whose refusal names the rule.
    allowance = serializers.IntegerField(required=False, allow_null=True, max_value=INT_MAX)
    per_space_cap = serializers.IntegerField(required=False, allow_null=True, max_value=INT_MAX)
    validity_days = serializers.IntegerField(max_value=VALIDITY_DAYS_MAX)
    visit_value = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "network", "kind", "name", "slug", "price", "period", "allowance", "validity_days",
                  "per_space_cap", "eligible_spaces", "visit_value", "is_active"]
        read_only_fields = ["id", "visit_value", "is_active"]
        validators: list = []


class PlanUpdateSerializer(StrictSerializer):
    """A plan's changes, each optional (``null`` for no allowance or no cap); ``plan_update``
    checks them, and refuses the frozen terms of a plan in use."""

    name = serializers.CharField(max_length=120, required=False)
    price = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    period = serializers.ChoiceField(choices=Period.choices, required=False)
    allowance = serializers.IntegerField(required=False, allow_null=True, max_value=INT_MAX)
    per_space_cap = serializers.IntegerField(required=False, allow_null=True, max_value=INT_MAX)
    validity_days = serializers.IntegerField(required=False, max_value=VALIDITY_DAYS_MAX)
    eligible_spaces = SlugRelatedField(slug_field="slug", many=True, required=False,
                                       queryset=Space.objects.all())
    is_active = serializers.BooleanField(required=False)


class NetworkSerializer(serializers.ModelSerializer):
    coordinator: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    spaces: serializers.SlugRelatedField[Space] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True)

    class Meta:
        model = PassNetwork
        fields = ["id", "slug", "name", "coordinator", "spaces", "visit_value", "description"]


class NetworkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pass networks (e.g. the ch'tipass) and their spaces, public."""

    queryset = PassNetwork.objects.select_related("coordinator").prefetch_related("spaces")
    serializer_class = NetworkSerializer
    lookup_field = "slug"
    permission_classes = [permissions.AllowAny]


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Plans, public; the network's coordinators create and change them."""

    serializer_class = PlanSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filterset_fields = ["kind", "period", "is_active"]

    def get_queryset(self):
        queryset = Plan.objects.select_related("network").prefetch_related("eligible_spaces")
        network = self.request.query_params.get("network")
        return queryset.filter(network__slug=network) if network else queryset

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if not selectors.networks_coordinated_by(request.user).filter(id=fields["network"].id).exists():
            raise PermissionDenied(_("Réservé aux coordinateur·rices du réseau."))
        plan = services.plan_create(
            network=fields.pop("network"), eligible_spaces=fields.pop("eligible_spaces", []),
            allowance=fields.pop("allowance", None), **fields,
        )
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanUpdateSerializer, responses=PlanSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a plan; once a pass of it exists, its period, allowance and per-space cap stay
        and no space leaves it (``400 plan_in_use`` naming the field)."""
        plan = self.get_object()
        if not selectors.networks_coordinated_by(request.user).filter(id=plan.network_id).exists():
            raise PermissionDenied(_("Réservé aux coordinateur·rices du réseau."))
        data = PlanUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = {"name": plan.name, "price": plan.price, "period": plan.period,
                   "allowance": plan.allowance, "per_space_cap": plan.per_space_cap,
                   "validity_days": plan.validity_days, "eligible_spaces": list(plan.eligible_spaces.all()),
                   "is_active": plan.is_active}
        plan = services.plan_update(plan=plan, **{**current, **data.validated_data})
        return Response(self.get_serializer(plan).data)


# --- Passes -------------------------------------------------------------------


class PassSerializer(serializers.ModelSerializer):
    holder = serializers.SerializerMethodField()
    plan: serializers.SlugRelatedField[Plan] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    network: serializers.SlugRelatedField[PassNetwork] = serializers.SlugRelatedField(
        source="plan.network", slug_field="slug", read_only=True)
    issuing_space: serializers.SlugRelatedField[Space] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True)
    remaining_allowance = serializers.SerializerMethodField()
    qr_url = serializers.SerializerMethodField()

    class Meta:
        model = Pass
        fields = ["id", "holder", "guest_name", "guest_email", "plan", "network", "issuing_space",
                  "valid_from", "valid_until", "status", "code", "short_code", "remaining_allowance",
                  "qr_url"]

    def get_holder(self, pass_obj: Pass) -> dict | None:
        if pass_obj.holder is None:  # erased account
            return None
        return {"email": pass_obj.holder.email, "full_name": pass_obj.holder.full_name}

    def get_remaining_allowance(self, pass_obj: Pass) -> int | None:
        remaining = self.context.get("remaining")
        if remaining is None:
            return selectors.remaining_allowance(pass_obj)
        return remaining[pass_obj.id]

    def get_qr_url(self, pass_obj: Pass) -> str:
        return f"/api/v1/passes/{pass_obj.id}/qr.svg"


class PassIssueSerializer(StrictSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.select_related("network"))
    holder_email = serializers.EmailField()
    issuing_space = SlugRelatedField(slug_field="slug", queryset=Space.objects.all())
    valid_from = DateField(required=False)



class PassStatusSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=PassStatus.choices)


class PassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Passes: the holder sees theirs; the issuing space's managers see and sell theirs."""

    serializer_class = PassSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Pass.objects.none()
        return selectors.passes_visible_to(signed_in(self.request)).order_by("-valid_from", "id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None, "the API paginates every list (DEFAULT_PAGINATION_CLASS)"
        context = {**self.get_serializer_context(), "remaining": selectors.remaining_allowances(page)}
        return self.get_paginated_response(PassSerializer(page, many=True, context=context).data)

    @extend_schema(request=PassIssueSerializer, responses=PassSerializer)
    def create(self, request, *args, **kwargs):
        data = PassIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not can_manage_space(request.user, fields["issuing_space"]):
            raise PermissionDenied(_("Seule l'équipe de l'espace émetteur vend ses pass."))
        pass_obj, invitation = pass_sell(
            seller=request.user, plan=fields["plan"], email=fields["holder_email"],
            issuing_space=fields["issuing_space"],
            valid_from=fields.get("valid_from") or fields["issuing_space"].local_date(timezone.now()),
        )
        # 202: no verified account at this address yet, the pass waits for its buyer's invitation.
        return Response(self.get_serializer(pass_obj).data,
                        status=status.HTTP_202_ACCEPTED if invitation else status.HTTP_201_CREATED)

    @extend_schema(request=PassStatusSerializer, responses=PassSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Suspend, reactivate or revoke a pass (managers of the issuing space)."""
        pass_obj = self.get_object()
        if not can_manage_space(request.user, pass_obj.issuing_space):
            raise PermissionDenied(_("Seule l'équipe de l'espace émetteur gère ce pass."))
        data = PassStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.pass_set_status(pass_obj=pass_obj, status=data.validated_data["status"])
        return Response(self.get_serializer(pass_obj).data)

    @extend_schema(responses={(200, "image/svg+xml"): bytes})
    def qr(self, request, pk=None):
        """The pass code as a QR code (SVG), to show at the desk or the kiosk."""
        pass_obj = self.get_object()
        buffer = io.BytesIO()
        segno.make(pass_obj.code, error="m").save(buffer, kind="svg", scale=6, border=2,
                                                  title=pass_obj.short_code)
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store"
        return response


# --- Check-ins ----------------------------------------------------------------


class CheckinRequestSerializer(StrictSerializer):
    pass_code = serializers.CharField(max_length=64, trim_whitespace=True)
    space = serializers.SlugField(max_length=80)

    def validate_pass_code(self, code):
        if not selectors.is_well_formed_code(code):
            raise serializers.ValidationError(
                _("Code de pass mal formé : 32 caractères du QR code ou 8 caractères du code court."),
                code="malformed_code",
            )
        return code


class CheckInSerializer(serializers.ModelSerializer):
    """A check-in as the API shows it."""

    space = serializers.CharField(source="space.slug", read_only=True)
    pass_short_code = serializers.CharField(source="pass_obj.short_code", read_only=True)
    # Shown at the desk so that staff can tell when a pass is lent to someone else; empty once
    # the holder erased their account.
    holder_name = serializers.CharField(source="pass_obj.holder.full_name", read_only=True,
                                        allow_null=True, default=None)
    day = serializers.DateField(source="visit.day", read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "space", "pass_short_code", "holder_name", "day", "checked_in_at",
                  "checked_out_at", "auto_checked_out", "channel"]
        read_only_fields = fields


class CheckinResultSerializer(CheckInSerializer):
    """The answer to a scan: the check-in and the visit-days left in the period (null for an
    unlimited plan)."""

    remaining_allowance = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta(CheckInSerializer.Meta):
        fields = [*CheckInSerializer.Meta.fields, "remaining_allowance"]
        read_only_fields = fields

class WalkInSerializer(StrictSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.select_related("network"))
    space = SlugRelatedField(slug_field="slug", queryset=Space.objects.all())
    name = serializers.CharField(max_length=150, required=False, default="")
    email = serializers.EmailField(required=False, default="")


class WalkInResultSerializer(serializers.Serializer):
    day_pass = PassSerializer(read_only=True)
    checkin = CheckinResultSerializer(read_only=True)



class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Check-ins: at the desk (space managers), at a kiosk (``Authorization: Kiosk <token>``)
    or by members themselves where the space allows it."""

    serializer_class = CheckInSerializer
    lookup_value_regex = "[0-9]+"
    # The stubs type these settings as the import strings they are written as, not the classes.
    authentication_classes = [KioskAuthentication,
                              *api_settings.DEFAULT_AUTHENTICATION_CLASSES]  # type: ignore[list-item]
    permission_classes = [IsPersonOrKiosk]
    filterset_fields = ["channel", "auto_checked_out"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CheckIn.objects.none()
        queryset = selectors.checkins_visible_to(viewer(self.request), _kiosk(self.request)) \
            .select_related("visit")
        params = self.request.query_params
        if params.get("space"):
            queryset = queryset.filter(space__slug=params["space"])
        if params.get("open") in ("1", "true"):
            queryset = queryset.filter(checked_out_at__isnull=True)
        return queryset.order_by("-checked_in_at", "-id")

    @extend_schema(request=CheckinRequestSerializer, responses={201: CheckinResultSerializer,
                                                                 200: CheckinResultSerializer})
    def create(self, request, *args, **kwargs):
        """201 with the new check-in; 200 with the open one when already checked in at this space."""
        kiosk = _kiosk(request)
        if kiosk is not None:
            wait = selectors.kiosk_retry_after(kiosk=kiosk, now=timezone.now())
            if wait is not None:
                message = _("Trop de codes inconnus : patientez avant de réessayer.")
                raise Throttled(wait=wait, detail=str(message))
        scan = CheckinRequestSerializer(data=request.data)
        scan.is_valid(raise_exception=True)
        checkin, created = services.checkin_attempt(
            code=scan.validated_data["pass_code"], space=scan.validated_data["space"],
            actor=services.Actor(person=request.user, kiosk=kiosk))
        return Response(CheckinResultSerializer(checkin).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
    @extend_schema(request=WalkInSerializer, responses={201: WalkInResultSerializer})
    @action(detail=False, methods=["post"], url_path="walk-in")
    def walk_in(self, request):
        """The desk gives a walk-in or trial day (a plan of that kind) to someone without a pass
        and checks them in, all or nothing (the space's managers)."""
        data = WalkInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not can_manage_space(request.user, fields["space"]):
            raise PermissionDenied(_("Seule l'équipe de l'espace accueille sans pass."))
        pass_obj, checkin = services.walk_in(plan=fields["plan"], space=fields["space"],
                                             person=request.user, name=fields["name"],
                                             email=fields["email"])
        return Response({"day_pass": PassSerializer(pass_obj).data,
                         "checkin": CheckinResultSerializer(checkin).data},
                        status=status.HTTP_201_CREATED)


    @extend_schema(request=None, responses=CheckInSerializer)
    @action(detail=True, methods=["post"])
    def checkout(self, request, pk=None):
        """Record the departure; only the holder, the space's team or its kiosk see the check-in."""
        checkin = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self.get_serializer(services.checkin_checkout(checkin=checkin)).data)


# --- Settlements --------------------------------------------------------------


class SettlementQuerySerializer(serializers.Serializer):
    network = SlugRelatedField(slug_field="slug", queryset=PassNetwork.objects.all())
    month = serializers.CharField()

    def validate_month(self, value: str) -> date:
        month = month_parse(value)
        if month is None:
            raise serializers.ValidationError(_("Mois attendu au format AAAA-MM."))
        try:
            date_in_range(month)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return month


class SettlementCloseSerializer(StrictSerializer, SettlementQuerySerializer):
    pass


class SettlementCSVRenderer(renderers.BaseRenderer):
    """The statement for a French spreadsheet (``backend/spreadsheet.py``): the columns keep
    the JSON's names; amounts are numbers with a decimal comma."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    columns = ["issuing_space", "host_space", "visit_days", "amount", "adjustment_days",
               "adjustment_amount", "total_amount"]
    amounts = frozenset({"amount", "adjustment_amount", "total_amount"})

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if "lines" not in data:  # an error: keep its code and message readable
            return csv_bytes(["code", "detail"], [[data.get("code", ""), data.get("detail", "")]])
        rows = [[self._value(line, column) for column in self.columns] for line in data["lines"]]
        totals = data["totals"]
        rows.append(["total", "", *(self._value(totals, column) for column in self.columns[2:])])
        return csv_bytes(self.columns, rows)

    def _value(self, row: dict, column: str):
        return Decimal(row[column]) if column in self.amounts else row[column]


def _statement_body(statement: selectors.Statement) -> dict:
    lines = []
    # Sums of counts and of amounts, the amounts then written with two decimals.
    totals: dict[str, Any] = {"visit_days": 0, "amount": 0, "adjustment_days": 0, "adjustment_amount": 0,
              "total_amount": 0}
    for line in statement.lines:
        issuing, host = statement.spaces[line.issuing_space_id], statement.spaces[line.host_space_id]
        row: dict[str, Any] = {
            "issuing_space": issuing.slug, "issuing_space_name": issuing.name,
            "host_space": host.slug, "host_space_name": host.name,
            "visit_days": line.visit_days, "amount": line.amount,
            "adjustment_days": line.adjustment_days, "adjustment_amount": line.adjustment_amount,
            "total_amount": line.total_amount,
        }
        for key in totals:
            totals[key] += row[key]
        lines.append(row)
    for key in ("amount", "adjustment_amount", "total_amount"):
        totals[key] = f"{totals[key]:.2f}"
    for row in lines:
        for key in ("amount", "adjustment_amount", "total_amount"):
            row[key] = f"{row[key]:.2f}"
    return {"network": statement.network.slug, "month": f"{statement.month:%Y-%m}",
            "closed_at": serializers.DateTimeField().to_representation(statement.closed_at)
            if statement.closed_at else None,
            "lines": lines, "totals": totals}


class SettlementView(APIView):
    """The monthly statement of a network: visit-days and amounts owed to each host space,
    per issuing space (``?network=&month=YYYY-MM``, ``&format=csv`` for a spreadsheet).

    The network's coordinators see every line; a space manager the lines of their spaces.
    """

    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer, SettlementCSVRenderer]
    content_negotiation_class = FormatParameterNegotiation

    @extend_schema(parameters=[OpenApiParameter("network", str, required=True),
                               OpenApiParameter("month", str, required=True)],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = SettlementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        network, month = query.validated_data["network"], query.validated_data["month"]
        space_ids = None
        if not selectors.networks_coordinated_by(request.user).filter(id=network.id).exists():
            space_ids = space_ids_managed_by(request.user) & set(network.spaces.values_list("id", flat=True))
            if not space_ids:
                raise PermissionDenied(_("Réservé aux coordinateur·rices du réseau et aux espaces membres."))
        body = _statement_body(selectors.settlement_for(network=network, month=month, space_ids=space_ids))
        response = Response(body)
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = (
                f'attachment; filename="decompte-{network.slug}-{month:%Y-%m}.csv"')
        return response


class SettlementCloseView(APIView):
    """Close a finished month (coordinators): its statement is frozen for good."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=SettlementCloseSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = SettlementCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        network, month = data.validated_data["network"], data.validated_data["month"]
        if not selectors.networks_coordinated_by(request.user).filter(id=network.id).exists():
            raise PermissionDenied(_("Réservé aux coordinateur·rices du réseau."))
        services.settlement_month_close(network=network, month=month, by=request.user)
        body = _statement_body(selectors.settlement_for(network=network, month=month))
        return Response(body, status=status.HTTP_201_CREATED)
