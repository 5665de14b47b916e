"""API for accounts, organizations and roles."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response

from backend.api import SlugRelatedField, StrictModelSerializer, StrictSerializer
from backend.links import FeedLinksMixin
from backend.throttling import LoginRateThrottle
from network import privacy, selectors, services
from network.auth import signed_in
from network.models import Membership, Organization, Person, Role


class TokenRequestSerializer(StrictSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=256, style={"input_type": "password"})


@extend_schema(
    request=TokenRequestSerializer,
    responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
)
@api_view(["POST"])
@permission_classes([permissions.AllowAny])
@throttle_classes([LoginRateThrottle])
def token_obtain(request):
    """Exchange an email and password for the API token (``Authorization: Token …``)."""
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    person = authenticate(
        request, username=data.validated_data["email"], password=data.validated_data["password"]
    )
    if person is None:
        raise AuthenticationFailed(_("E-mail ou mot de passe incorrect."), code="bad_credentials")
    token, _created = Token.objects.get_or_create(user=person)
    return Response({"token": token.key})


class PersonSerializer(serializers.ModelSerializer):
    """A person as a membership shows them (read only: people edit themselves through ``/me/``)."""

    class Meta:
        model = Person
        fields = ["id", "email", "full_name", "language"]
        read_only_fields = fields


class MeSerializer(StrictModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "email", "email_verified", "full_name", "language", "roles"]
        read_only_fields = ["id", "email", "email_verified", "roles"]

    def get_roles(self, person: Person) -> list[dict]:
        return [
            {"organization": m.organization.slug, "role": m.role}
            for m in person.memberships.select_related("organization")
        ]


class EraseSerializer(StrictSerializer):
    password = serializers.CharField(max_length=256, style={"input_type": "password"},
                                     help_text="Your password, to confirm.")


@extend_schema(methods=["GET", "PATCH"], request=MeSerializer, responses=MeSerializer)
@extend_schema(methods=["DELETE"], request=EraseSerializer, responses={204: None})
@api_view(["GET", "PATCH", "DELETE"])
@permission_classes([permissions.IsAuthenticated])
def me(request):
    """The caller's profile and roles; PATCH changes name and language.

    DELETE erases the account and its personal data (with the password, to confirm):
    upcoming registrations are cancelled, past ones kept anonymous.
    """
    if request.method == "DELETE":
        data = EraseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.check_password(data.validated_data["password"]):
            raise serializers.ValidationError({"password": [_("Mot de passe incorrect.")]})
        privacy.person_erase(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    if request.method == "PATCH":
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
    return Response(MeSerializer(request.user).data)


@extend_schema(responses={200: dict})
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def my_data(request):
    """Everything Essaim holds about you, as a JSON download."""
    response = Response(privacy.export(request.user))
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-essaim.json"'
    return response


class OrganizationSerializer(FeedLinksMixin, StrictModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "id", "name", "slug", "kind", "region", "department", "commune_insee",
            "website", "contact_email", "description", "feed_url", "webcal_url",
            "google_calendar_url",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {"slug": {"required": False}}

    def feed_path(self, organization: Organization) -> str:
        """The organization's feed, co-organized events included."""
        return reverse("feeds:organization", kwargs={"slug": organization.slug})


class OrganizationFilter(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Recherche")

    class Meta:
        model = Organization
        fields = ["kind", "region", "department", "commune_insee"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class IsOrganizationAdmin(permissions.BasePermission):
    message = _("Seuls les administrateur·rices de la structure peuvent la modifier.")

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return selectors.has_role(request.user, obj.id, Role.ADMIN)


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """The directory of organizations: public to read; its admins edit it.

    Any signed-in person may create an organization and becomes its admin.
    """

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    lookup_field = "slug"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsOrganizationAdmin]
    filterset_class = OrganizationFilter
    ordering_fields = ["name", "created_at"]

    def perform_create(self, serializer):
        serializer.instance = services.organization_create(
            creator=signed_in(self.request), **serializer.validated_data
        )


class MembershipSerializer(StrictModelSerializer):
    organization = SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all()
    )
    person_email = serializers.EmailField(write_only=True)
    person = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organization", "person", "person_email", "role", "created_at"]
        read_only_fields = ["id", "person", "created_at"]

    def validate_organization(self, organization):
        if not selectors.has_role(self.context["request"].user, organization.id, Role.ADMIN):
            raise serializers.ValidationError(
                _("Seuls les administrateur·rices de la structure gèrent ses rôles.")
            )
        return organization

    def validate_person_email(self, email):
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            raise serializers.ValidationError(_("Aucun compte avec cette adresse e-mail."))
        return person


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """Roles: a person sees their own; an organization's admins see and manage all of its."""

    queryset = Membership.objects.none()
    lookup_value_regex = "[0-9]+"
    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["role"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        queryset = selectors.memberships_visible_to(signed_in(self.request))
        organization = self.request.query_params.get("organization")
        if organization:
            queryset = queryset.filter(organization__slug=organization)
        return queryset.order_by("organization__name", "person__email", "role")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_add(
            organization=serializer.validated_data["organization"],
            person=serializer.validated_data["person_email"],
            role=serializer.validated_data["role"],
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        membership = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if not selectors.has_role(request.user, membership.organization_id, Role.ADMIN):
            self.permission_denied(request, message=gettext("Réservé aux administrateur·rices."))
        services.membership_remove(membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
