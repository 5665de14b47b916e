"""The agenda on partners' websites: an iframe page, its sizing script, a JSON endpoint, and the
page where a partner composes the snippet to paste.

Only the iframe page may be framed (by any site); the rest of Essaim keeps
``X-Frame-Options: DENY``. Only the JSON endpoint answers other origins' scripts (a plain
``Access-Control-Allow-Origin: *`` on that one view: it is public, read-only and carries
no credentials, so a CORS library and its site-wide settings would add nothing). Both
answer ``ETag``/``304`` from a fingerprint of the listed events, one query.
"""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_safe

from backend.links import absolute_url
from events.models import Campaign, EventFormat, EventStatus, Theme
from network.models import Organization
from programme.places import commune_label, geocoded_for, place_of
from programme.selectors import Selection, fingerprint, language_param, selection_param, upcoming
from web.days import by_local_day

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Partners' pages are cached briefly by browsers; an ETag makes each revalidation cheap.
MAX_AGE = 300


class BadParameter(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _options(request: HttpRequest) -> tuple[Selection, str, int]:
    """The selection, the language and the number of events asked for; raises
    :class:`BadParameter` naming every parameter that is wrong."""
    errors: dict[str, list[str]] = {}
    selection = selection_param(request.GET, errors)
    language = language_param(request.GET, errors)
    raw_limit = request.GET.get("limit", "").strip() or str(DEFAULT_LIMIT)
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        errors["limit"] = [_("Un nombre d'événements de 1 à %(max)s.") % {"max": MAX_LIMIT}]
    if errors:
        raise BadParameter(errors)
    return selection, language, int(raw_limit)


def _conditional(request: HttpRequest, etag: str) -> HttpResponse | None:
    return get_conditional_response(request, etag=etag)


def _cache_headers(response: HttpResponse, etag: str, language: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Content-Language"] = language
    # The language comes from the address, not from the visitor's browser or cookie.
    patch_vary_headers(response, ())
    return response


def _agenda_link(selection: Selection) -> str:
    return absolute_url(selection.agenda_path)


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embedded_agenda(request: HttpRequest) -> HttpResponse:
    """The iframe page: the next events of a selection, in the partner's language."""
    try:
        selection, language, limit = _options(request)
    except BadParameter as error:
        return render(request, "programme/embed_error.html", {"errors": error.errors}, status=400)
    plain = upcoming(selection, listing=False)
    etag = f'"{fingerprint(plain[:limit], "html", language, selection.query, str(limit))}"'
    if (answer := _conditional(request, etag)) is not None:
        return _cache_headers(answer, etag, language)
    events = list(upcoming(selection)[:limit])
    geocoded = geocoded_for(events)
    for event in events:
        event.place = place_of(event, geocoded)  # type: ignore[attr-defined]
    with translation.override(language):
        response = render(request, "programme/embed.html", {
            "days": by_local_day(events),
            "agenda_url": _agenda_link(selection),
            "site_url": settings.SITE_URL,
            "language": language,
        })
    return _cache_headers(response, etag, language)


def _event_json(event, place) -> dict[str, Any]:
    zone = event.zone
    return {
        "title": event.title,
        "url": absolute_url(event.get_absolute_url()),
        "starts_at": event.starts_at.astimezone(zone).isoformat(),
        "ends_at": event.ends_at.astimezone(zone).isoformat(),
        "time_zone": event.time_zone,
        "all_day": event.all_day,
        "cancelled": event.status == EventStatus.CANCELLED,
        "format": event.format,
        "format_label": event.get_format_display(),
        "organizers": [organization.name for organization in [event.organization,
                                                              *event.co_organizers.all()]],
        "place": {"name": place.name, "address": place.full_address, "commune": commune_label(place),
                  "latitude": place.latitude, "longitude": place.longitude},
        "online_url": event.online_url,
        "price": event.price_text,
        "themes": [theme.name for theme in event.themes.all()],
        "label": event.label,
    }


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag"
    return response


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def events_json(request: HttpRequest) -> HttpResponse:
    """The same selection as JSON, for partners who lay it out themselves."""
    if request.method == "OPTIONS":
        # A preflight (a script sending If-None-Match itself): GET only, no credentials.
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "GET, HEAD"
        response["Access-Control-Allow-Headers"] = "If-None-Match"
        response["Access-Control-Max-Age"] = "86400"
        return _cors(response)
    try:
        selection, language, limit = _options(request)
    except BadParameter as error:
        return _cors(JsonResponse({"code": "invalid", "detail": _("Paramètre refusé."),
                                   "fields": error.errors}, status=400))
    plain = upcoming(selection, listing=False)
    etag = f'"{fingerprint(plain[:limit], "json", language, selection.query, str(limit))}"'
    if (answer := _conditional(request, etag)) is not None:
        return _cors(_cache_headers(answer, etag, language))
    events = list(upcoming(selection)[:limit])
    geocoded = geocoded_for(events)
    with translation.override(language):
        data = {"agenda_url": _agenda_link(selection), "filters": selection.as_dict(),
                "events": [_event_json(event, place_of(event, geocoded)) for event in events]}
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return _cors(_cache_headers(response, etag, language))


@require_safe
def compose(request: HttpRequest) -> HttpResponse:
    """Choose filters and a language, see the agenda as it will show, copy the snippet."""
    try:
        selection, language, limit = _options(request)
        errors: dict[str, list[str]] = {}
    except BadParameter as error:
        selection, language, limit = Selection(()), settings.LANGUAGE_CODE, DEFAULT_LIMIT
        errors = error.errors
    query = "&".join(filter(None, [selection.query, f"lang={language}",
                                   f"limit={limit}" if limit != DEFAULT_LIMIT else ""]))
    frame_path = reverse("programme:embed") + f"?{query}"
    with translation.override(language):
        title = _("Agenda de l'ESS")
    script_url = escape(absolute_url(settings.STATIC_URL + "programme/embed.js"))
    frame_url = escape(absolute_url(frame_path))
    # An apostrophe needs no escaping in a double-quoted attribute: keep the title readable.
    title_attribute = escape(title).replace("&#x27;", "'")
    # Plain text (escaped once more in the page): the textarea shows the HTML to copy.
    snippet = (f'<iframe src="{frame_url}" data-essaim-agenda title="{title_attribute}" '
               'style="width:100%;min-height:320px;border:0" loading="lazy"></iframe>\n'
               f'<script src="{script_url}" async></script>')
    territories = upcoming(Selection(()), listing=False).order_by()
    return render(request, "programme/compose.html", {
        "chosen": selection.as_dict(),
        "language": language,
        "limit": limit,
        "errors": errors,
        "snippet": snippet,
        # The preview comes from this very server, whatever SITE_URL names.
        "preview_url": frame_path,
        "regions": sorted(set(territories.exclude(region="").values_list("region", flat=True))),
        "departments": sorted(set(territories.exclude(department="").values_list("department", flat=True))),
        "json_url": absolute_url(reverse("programme:events-json") + f"?{query}"),
        "campaigns": Campaign.objects.order_by("-starts_on"),
        "organizations": Organization.objects.order_by("name").only("slug", "name"),
        "themes": Theme.objects.all(),
        "formats": EventFormat.choices,
        "languages": settings.LANGUAGES,
    }, status=400 if errors else 200)
