from rest_framework.routers import SimpleRouter

from events import api

router = SimpleRouter()
router.register("campaigns", api.CampaignViewSet, basename="campaign")
router.register("events", api.EventViewSet, basename="event")
router.register("moderation", api.ModerationViewSet, basename="moderation")
router.register("series", api.SeriesViewSet, basename="series")
router.register("co-organizations", api.CoOrganizationViewSet, basename="co-organization")
# Before "registrations": its detail route would otherwise read "secret" as an id.
router.register("registrations/secret", api.SecretRegistrationViewSet, basename="registration-secret")
router.register("registrations", api.RegistrationViewSet, basename="registration")

urlpatterns = router.urls
