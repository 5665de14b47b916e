"""API of the account flows: sign-up, verification, password reset and change, invitations.

Answers about an address are the same whether it has an account or not (202 and one sentence);
requests are limited per client and per address asked about (429 with ``Retry-After``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.response import Response

from accounts import services
from accounts.models import Invitation, InvitationStatus
from accounts.throttling import AccountRateThrottle, EmailAddressRateThrottle, allows
from backend.api import SlugRelatedField, StrictModelSerializer, StrictSerializer
from network.auth import signed_in
from network.models import Organization, Role
from network.selectors import has_role

if TYPE_CHECKING:
    from passes.models import Pass

SIGNUP_SENT = _("Un message vient de partir vers cette adresse : ouvrez le lien qu'il contient.")
RESET_SENT = _("Si un compte existe avec cette adresse, un lien vient d'y partir.")

Detail = inline_serializer("AccountDetail", {"detail": serializers.CharField()})
PASSWORD: dict[str, Any] = {"max_length": 256, "style": {"input_type": "password"}, "trim_whitespace": False}


def _per_address(request, email: str) -> None:
    throttle = EmailAddressRateThrottle(email)
    if not allows(throttle, request):
        raise Throttled(wait=throttle.wait())


def _sent(text) -> Response:
    return Response({"detail": str(text)}, status=status.HTTP_202_ACCEPTED)


class SignupSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(**PASSWORD)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


@extend_schema(request=SignupSerializer, responses={202: Detail})
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AccountRateThrottle])
def signup(request):
    """Create an account; a link to verify the address is sent to it. The answer is the same
    for an address that already has an account (its owner is told by email)."""
    data = SignupSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    _per_address(request, data.validated_data["email"])
    services.signup(**{"language": get_language() or "fr", **data.validated_data})
    return _sent(SIGNUP_SENT)


class LinkSerializer(StrictSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


@extend_schema(request=LinkSerializer, responses={200: Detail})
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AccountRateThrottle])
def verify(request):
    """Confirm an address with the ``uid`` and ``token`` of the link sent to it (once, before it
    expires)."""
    data = LinkSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.email_verify(**data.validated_data)
    return Response({"detail": str(_("Adresse e-mail confirmée."))})


@extend_schema(request=None, responses={202: Detail})
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
@throttle_classes([AccountRateThrottle])
def verify_resend(request):
    """Send the signed-in person a new verification link (nothing if the address is verified)."""
    _per_address(request, request.user.email)
    services.verification_send(person=request.user)
    return _sent(SIGNUP_SENT)


class ResetRequestSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)


@extend_schema(request=ResetRequestSerializer, responses={202: Detail})
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AccountRateThrottle])
def password_reset(request):
    """Send a link to choose a new password; the answer is the same for any address."""
    data = ResetRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    _per_address(request, data.validated_data["email"])
    services.password_reset_request(email=data.validated_data["email"])
    return _sent(RESET_SENT)


class ResetConfirmSerializer(LinkSerializer):
    password = serializers.CharField(**PASSWORD)


@extend_schema(request=ResetConfirmSerializer, responses={200: Detail})
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AccountRateThrottle])
def password_reset_confirm(request):
    """Set a new password with the ``uid`` and ``token`` of a reset link; the link then stops
    working, and so do the API tokens made before."""
    data = ResetConfirmSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.password_reset_confirm(**data.validated_data)
    return Response({"detail": str(_("Mot de passe changé. Vous pouvez vous connecter."))})


class PasswordChangeSerializer(StrictSerializer):
    current_password = serializers.CharField(**PASSWORD)
    new_password = serializers.CharField(**PASSWORD)


@extend_schema(request=PasswordChangeSerializer, responses={204: None})
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
@throttle_classes([AccountRateThrottle])
def password_change(request):
    """Change your password (with the current one); your API tokens stop working."""
    data = PasswordChangeSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.password_change(person=request.user, **data.validated_data)
    return Response(status=status.HTTP_204_NO_CONTENT)


class EmailChangeSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254, help_text="The new address.")
    password = serializers.CharField(**PASSWORD)


@extend_schema(request=EmailChangeSerializer, responses={202: Detail})
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
@throttle_classes([AccountRateThrottle])
def email_change(request):
    """Change your address: a link is sent to the new one, and the account moves when it is
    opened (``POST /api/v1/me/email/confirm/``)."""
    data = EmailChangeSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    _per_address(request, data.validated_data["email"])
    services.email_change_request(person=request.user, new_email=data.validated_data["email"],
                                  password=data.validated_data["password"])
    return _sent(SIGNUP_SENT)


class TokenSerializer(StrictSerializer):
    token = serializers.CharField(max_length=512)


@extend_schema(request=TokenSerializer, responses={200: Detail})
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AccountRateThrottle])
def email_change_confirm(request):
    """Confirm a new address with the ``token`` of the link sent to it (once, before it expires)."""
    data = TokenSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    services.email_change_confirm(token=data.validated_data["token"])
    return Response({"detail": str(_("Adresse e-mail changée."))})


class InvitationSerializer(StrictModelSerializer):
    organization = SlugRelatedField(slug_field="slug", queryset=Organization.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(choices=InvitationStatus.choices, read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)
    held_pass: serializers.PrimaryKeyRelatedField[Pass] = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "organization", "role", "held_pass", "status", "invited_by",
                  "created_at", "sent_at", "expires_at", "accepted_at"]
        read_only_fields = ["id", "held_pass", "status", "invited_by", "created_at", "sent_at",
                            "expires_at", "accepted_at"]
        extra_kwargs = {"email": {"max_length": 254}}

    def validate_organization(self, organization):
        if not has_role(self.context["request"].user, organization.id, Role.ADMIN):
            raise serializers.ValidationError(
                _("Seuls les administrateur·rices de la structure invitent à ses rôles."))
        return organization


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Invitations: an organization's admins invite people to its roles; a pass sold to an address
    with no verified account sends one too. Both see, resend and revoke theirs."""

    queryset = Invitation.objects.none()
    serializer_class = InvitationSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        queryset = services.invitations_managed_by(signed_in(self.request))
        organization = self.request.query_params.get("organization")
        if organization:
            queryset = queryset.filter(organization__slug=organization)
        return queryset.order_by("-created_at", "id")

    def perform_create(self, serializer):
        fields = serializer.validated_data
        serializer.instance = services.invitation_create(
            inviter=signed_in(self.request), organization=fields["organization"], email=fields["email"],
            role=fields["role"])

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send the invitation again with a new link (the old one stops working) and a new expiry."""
        invitation = services.invitation_resend(invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Close the invitation; its link stops working (a pass waiting for it is revoked)."""
        invitation = services.invitation_revoke(invitation=self.get_object())
        return Response(self.get_serializer(invitation).data)


class AcceptSerializer(StrictSerializer):
    token = serializers.CharField(max_length=128, help_text="The secret at the end of the link.")
    password = serializers.CharField(required=False, help_text="Without an account: the password "
                                     "of the account to create.", **PASSWORD)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


@extend_schema(request=AcceptSerializer, responses={200: Detail})
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([AccountRateThrottle])
def invitation_accept(request):
    """Accept an invitation: signed in with the invited address, or, with no account, by giving
    the ``password`` of the account to create. Another signed-in person gets 403."""
    data = AcceptSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    invitation = services.invitation_by_secret(data.validated_data["token"])
    if invitation is None:
        raise services.InvitationInvalid(field="token")
    if request.user.is_authenticated:
        services.invitation_accept(invitation=invitation, person=request.user)
    elif "password" in data.validated_data:
        services.invitation_accept_new(invitation=invitation, password=data.validated_data["password"],
                                       full_name=data.validated_data.get("full_name", ""),
                                       language=get_language() or "fr")
    else:
        raise PermissionDenied(_("Connectez-vous, ou donnez le mot de passe du compte à créer."))
    return Response({"detail": str(_("Invitation acceptée."))})
