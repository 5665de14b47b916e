from django.urls import path
from rest_framework.routers import SimpleRouter

from passes import api

router = SimpleRouter()
# First: the route of every scan (backend/urls.py).
router.register("checkins", api.CheckInViewSet, basename="checkin")
router.register("networks", api.NetworkViewSet, basename="pass-network")
router.register("plans", api.PlanViewSet, basename="plan")
router.register("passes", api.PassViewSet, basename="pass")

urlpatterns = [
    # Without the trailing slash: an image URL that ends in its file extension.
    path("passes/<int:pk>/qr.svg", api.PassViewSet.as_view({"get": "qr"}), name="pass-qr"),
    path("settlements/", api.SettlementView.as_view(), name="settlements"),
    path("settlements/close/", api.SettlementCloseView.as_view(), name="settlements-close"),
    *router.urls,
]
