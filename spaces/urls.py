from rest_framework.routers import SimpleRouter

from spaces import api

router = SimpleRouter()
router.register("spaces", api.SpaceViewSet, basename="space")

urlpatterns = router.urls
