"""API for a person's private calendar feed URL."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from backend.links import feed_links
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
