"""Public pages and signing in. Views read through selectors and write through services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api import DomainError
from backend.links import absolute_url, feed_links
from backend.throttling import RegistrationRateThrottle
from events import images, selectors, services
from events.api import EventFilter
from events.models import (
    ACTIVE_REGISTRATION,
    Campaign,
    EventFormat,
    EventStatus,
    Registration,
    RegistrationStatus,
    Theme,
)
from feeds.tokens import calendar_token_regenerate, calendar_token_revoke
from feeds.views import EVENT_FILTERS
from imports.selectors import import_item_of
from network.api import LoginRateThrottle
from network.models import Organization, Role
from network.selectors import organization_ids_for
from spaces.models import Space
from spaces.selectors import spaces_with_hours
from web.coworking import _qr_svg
from web.days import by_local_day
from web.forms import GuestRegistrationForm, SignInForm, refusal_text

AGENDA_PAGE_SIZE = 50


def upcoming_public_events():
    """What an anonymous visitor may see, from the events still running."""
    return selectors.event_list(None).filter(ends_at__gte=timezone.now()).order_by("starts_at", "id")


@require_safe
def home(request):
    return render(request, "web/home.html", {
        "next_events": upcoming_public_events()[:5],
        "campaigns": selectors.campaigns_visible().filter(ends_on__gte=timezone.localdate()),
        "space_count": Space.objects.count(),
    })


@require_safe
def agenda(request):
    upcoming = upcoming_public_events()
    # The API's filter set holds the meaning of every filter (a campaign shows
    # its approved events only, a territory is a region, department or commune).
    filters = EventFilter(request.GET, queryset=upcoming)
    found = filters.qs if filters.is_valid() else upcoming.none()
    page = Paginator(found, AGENDA_PAGE_SIZE).get_page(request.GET.get("page"))
    chosen = {name: request.GET.get(name, "").strip() for name in EVENT_FILTERS}
    feed_query = urlencode({name: value for name, value in chosen.items() if value})
    territories = upcoming.order_by()
    return render(request, "web/agenda.html", {
        "filters": filters,
        "chosen": chosen,
        "q": request.GET.get("q", "").strip(),
        "page": page,
        "days": by_local_day(page.object_list),
        "page_query": urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v]),
        "campaigns": Campaign.objects.order_by("-starts_on"),
        "themes": Theme.objects.all(),
        "formats": EventFormat.choices,
        "organizations": Organization.objects.filter(
            Q(lead_events__in=upcoming) | Q(co_organized_events__in=upcoming)).distinct(),
        "regions": sorted(set(territories.exclude(region="").values_list("region", flat=True))),
        "departments": sorted(set(territories.exclude(department="").values_list("department", flat=True))),
        "links": feed_links(reverse("feeds:events") + (f"?{feed_query}" if feed_query else "")),
    })


def _event_page(request, event, *, guest_form: GuestRegistrationForm | None = None, status: int = 200):
    registration = None
    if request.user.is_authenticated:
        registration = (selectors.registrations_visible_to(request.user)
                        .filter(ACTIVE_REGISTRATION, person=request.user, event=event).first())
    return render(request, "web/event.html", {
        "event": event,
        "registration": registration,
        "guest_form": guest_form or GuestRegistrationForm(),
        "can_edit": selectors.can_organize(request.user, event),
        "sees_moderation": selectors.sees_moderation(request.user, event),
        "registration_closed": services.registration_refusal(event),
        "page_url": absolute_url(event.get_absolute_url()),
        "image_url": absolute_url(event.image_url) if event.image else "",
        "imported_from": import_item_of(event),
        "organization_links": feed_links(reverse("feeds:organization", args=[event.organization.slug])),
        "event_feed": reverse("feeds:event", args=[event.pk]),
    }, status=status)


@require_safe
def event_detail(request, slug: str):
    return _event_page(request, get_object_or_404(selectors.event_list(request.user), slug=slug))


@require_safe
def event_image(request, name: str):
    """An event image as stored (re-encoded, ``events/images.py``). Its name is its content's hash:
    cached for good, and unguessable for a draft's image."""
    path = f"{images.FOLDER}/{name}"
    if not images.STORED_NAME.match(name) or not default_storage.exists(path):
        raise Http404("no such image")
    response = FileResponse(default_storage.open(path), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def _registered_message(registration) -> str:
    if registration.status == RegistrationStatus.CONFIRMED:
        return _("Votre inscription est confirmée.")
    return _("L'événement est complet : vous êtes n° %(position)s en liste d'attente.") % {
        "position": registration.position}


@require_POST
def event_register(request, slug: str):
    """Signed in: register the account. Otherwise a guest registers with a name and an
    address, and lands on the page of the secret link that the confirmation also carries."""
    event = get_object_or_404(selectors.event_list(request.user), slug=slug)
    person, fields, form = None, {}, None
    if request.user.is_authenticated:
        person = request.user
    else:
        # The API's per-address budget for registrations without an account, in the same cache.
        if not RegistrationRateThrottle().allow_request(request, None):
            return render(request, "web/too_many_attempts.html", {"registration": True}, status=429)
        form = GuestRegistrationForm(request.POST)
        if not form.is_valid():
            return _event_page(request, event, guest_form=form, status=400)
        fields = form.cleaned_data
    try:
        registration = services.registration_create(event=event, person=person, **fields)
    except (DomainError, ValidationError) as error:
        messages.error(request, refusal_text(error))
        return redirect("web:event", slug=event.slug)
    messages.success(request, _registered_message(registration))
    if person is None:
        return redirect("web:registration", token=registration.token)
    return redirect("web:event", slug=event.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def registration_by_link(request, token: str):
    """The secret link of a registration (sent by email): see it, confirm the address
    (guests), cancel it. No account needed; the token is the proof."""
    registration = get_object_or_404(
        Registration.objects.select_related("event__room__space", "event__organization"), token=token)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.registration_cancel(registration=registration, token=token)
                messages.success(request, _("Votre inscription est annulée."))
            else:
                services.registration_confirm_email(token=token)
                messages.success(request, _("Votre adresse est confirmée."))
        except DomainError as error:
            messages.error(request, refusal_text(error))
        return redirect("web:registration", token=token)
    at_the_door = (registration.status == RegistrationStatus.CONFIRMED
                   and registration.event.status != EventStatus.CANCELLED)
    response = render(request, "web/registration.html", {
        "registration": registration, "event": registration.event,
        "qr_svg": _qr_svg(registration.code, registration.code) if at_the_door else None})
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"  # the token never leaves in a Referer header
    return response


@login_required
@require_POST
def event_unregister(request, slug: str):
    event = get_object_or_404(selectors.event_list(request.user), slug=slug)
    registration = get_object_or_404(
        selectors.registrations_visible_to(request.user).filter(ACTIVE_REGISTRATION, person=request.user),
        event=event)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Votre inscription est annulée."))
    return redirect("web:event", slug=event.slug)


@require_safe
def campaign_detail(request, slug: str):
    campaign = get_object_or_404(selectors.campaigns_visible(), slug=slug)
    filters = EventFilter({"campaign": campaign.slug}, queryset=upcoming_public_events())
    return render(request, "web/campaign.html", {
        "campaign": campaign,
        "days": by_local_day(filters.qs),
        "links": feed_links(reverse("feeds:campaign", args=[campaign.slug])),
    })


@require_safe
def organization_detail(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    filters = EventFilter({"organization": organization.slug}, queryset=upcoming_public_events())
    return render(request, "web/organization.html", {
        "organization": organization,
        "days": by_local_day(filters.qs),
        "spaces": organization.spaces.order_by("name"),
        "links": feed_links(reverse("feeds:organization", args=[organization.slug])),
    })


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request):
    """The member's registrations and their private feed.

    The secret address is shown once, in the answer to the POST that makes it:
    only its digest is stored.
    """
    private_links = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_token_revoke(person=request.user)
            messages.success(request, _("L'ancienne adresse secrète ne fonctionne plus."))
            return redirect("web:my-calendar")
        token = calendar_token_regenerate(person=request.user)
        private_links = feed_links(reverse("feeds:personal", kwargs={"token": token}))
    registrations = (selectors.registrations_visible_to(request.user)
                     .filter(ACTIVE_REGISTRATION, person=request.user, event__ends_at__gte=timezone.now())
                     .order_by("event__starts_at"))
    response = render(request, "web/my_calendar.html", {
        "registrations": registrations, "private_links": private_links,
    })
    add_never_cache_headers(response)
    return response


@require_safe
def spaces(request):
    # Hours, rooms, closures and live occupancy in four queries whatever the number of spaces.
    directory = spaces_with_hours().order_by("region", "name")
    entries = [(space, feed_links(reverse("feeds:space", args=[space.slug]))) for space in directory]
    # Known already for the header's links: a space's team finds its desk and its page here too.
    managing = organization_ids_for(request.user, Role.SPACE_MANAGER)
    return render(request, "web/spaces.html", {"entries": entries, "managing": managing})


class SignInView(auth_views.LoginView):
    template_name = "web/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    next_page = "web:home"

    def post(self, request, *args, **kwargs):
        # The same per-address budget as the API's token endpoint, in the same
        # cache: the page must not be a second door for password guessing.
        if not LoginRateThrottle().allow_request(request, None):
            return render(request, "web/too_many_attempts.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # A person's saved language applies unless this browser already chose one.
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES:
            # The same cookie as Django's set_language view.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, form.get_user().language,
                max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class SignOutView(auth_views.LogoutView):
    next_page = "web:home"
