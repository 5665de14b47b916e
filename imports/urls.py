from rest_framework.routers import SimpleRouter

from imports import api

router = SimpleRouter()
router.register("import-sources", api.SourceViewSet, basename="import-source")

urlpatterns = router.urls
