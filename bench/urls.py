from django.http import JsonResponse
from django.urls import path

from backend.urls import urlpatterns as project_urlpatterns


def bare(request):
    """The cheapest Django answer through the same middleware: the 304 baseline."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), *project_urlpatterns]
