from django.db import connection
from django.http import JsonResponse
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from backend.urls import urlpatterns as project_urlpatterns


def bare(request):
    """The cheapest Django answer through the same middleware: the 304 baseline."""
    return JsonResponse({"ok": True})


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def bare_drf(request):
    """A DRF view with one database query and no authentication: the check-in baseline."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Response({"ok": True})


urlpatterns = [path("bench/bare", bare), path("bench/bare-drf/", bare_drf), *project_urlpatterns]
