from django.db import connection
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from backend.urls import urlpatterns as project_urls


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def bare(request):
    """The baseline: a DRF view with one database query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Response({"ok": True})


urlpatterns = [path("bench/bare/", bare), *project_urls]
