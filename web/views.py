"""Server-rendered pages. Views read through selectors and write through services."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_safe

from feeds.links import feed_links
from network.api import LoginRateThrottle
from spaces.models import Space
from web.forms import SignInForm


@require_safe
def home(request):
    return render(request, "web/home.html", {"space_count": Space.objects.count()})


@require_safe
def spaces(request):
    directory = Space.objects.select_related("operator").prefetch_related("rooms").order_by(
        "region", "name"
    )
    entries = [(space, feed_links(f"/feeds/spaces/{space.slug}.ics")) for space in directory]
    return render(request, "web/spaces.html", {"entries": entries})


class SignInView(auth_views.LoginView):
    template_name = "web/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("web:home")

    def post(self, request, *args, **kwargs):
        # The same per-address budget as the API's token endpoint, in the same
        # cache: the page must not be a second door for password guessing.
        if not LoginRateThrottle().allow_request(request, None):
            return render(request, "web/too_many_attempts.html", status=429)
        return super().post(request, *args, **kwargs)


class SignOutView(auth_views.LogoutView):
    next_page = reverse_lazy("web:home")
