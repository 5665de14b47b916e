from django.urls import path
from rest_framework.routers import SimpleRouter

from network import api

router = SimpleRouter()
router.register("organizations", api.OrganizationViewSet, basename="organization")
router.register("memberships", api.MembershipViewSet, basename="membership")

urlpatterns = [
    path("auth/token/", api.token_obtain, name="auth-token"),
    path("me/", api.me, name="me"),
    path("me/data/", api.my_data, name="my-data"),
    *router.urls,
]
