"""API for a person's private calendar feed URL."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from feeds.links import feed_links
from feeds.tokens import calendar_token_regenerate, calendar_token_revoke

PrivateFeedSerializer = inline_serializer(
    "PrivateFeed",
    {
        "feed_url": serializers.URLField(),
        "webcal_url": serializers.CharField(),
        "google_calendar_url": serializers.URLField(),
    },
)


@extend_schema(request=None, responses={201: PrivateFeedSerializer, 204: None})
@api_view(["POST", "DELETE"])
@permission_classes([permissions.IsAuthenticated])
def private_feed(request):
    """POST: a new secret URL for your private feed (the previous one answers 404 at once;
    the URL is shown only now, keep it). DELETE: revoke it."""
    if request.method == "DELETE":
        calendar_token_revoke(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    token = calendar_token_regenerate(person=request.user)
    path = reverse("feeds:personal", kwargs={"token": token})
    return Response(feed_links(path), status=status.HTTP_201_CREATED)


class FeedLinksMixin(serializers.Serializer):
    """Adds ``feed_url``, ``webcal_url`` and ``google_calendar_url`` to an API object;
    the serializer says which feed with ``feed_path(obj)``."""

    feed_url = serializers.SerializerMethodField()
    webcal_url = serializers.SerializerMethodField()
    google_calendar_url = serializers.SerializerMethodField()

    def feed_path(self, obj) -> str:
        raise NotImplementedError

    def _links(self, obj) -> dict[str, str]:
        cache = self.__dict__.setdefault("_feed_links", {})
        if obj.pk not in cache:
            cache[obj.pk] = feed_links(self.feed_path(obj))
        return cache[obj.pk]

    def get_feed_url(self, obj) -> str:
        return self._links(obj)["feed_url"]

    def get_webcal_url(self, obj) -> str:
        return self._links(obj)["webcal_url"]

    def get_google_calendar_url(self, obj) -> str:
        return self._links(obj)["google_calendar_url"]
