"""Downloading the printed programme of a selection."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from programme.brochure import SIZES, BrochureSpec, brochure_current, brochure_request
from programme.embed import LANGUAGES
from programme.selectors import BadFilter, Selection, upcoming

# How often the waiting page looks again.
REFRESH_SECONDS = 5


def _spec(request: HttpRequest) -> BrochureSpec:
    errors: dict[str, list[str]] = {}
    size = request.GET.get("size", "").strip().lower() or "a4"
    if size not in SIZES:
        errors["size"] = [_("Format de page : a4 ou a5.")]
    language = request.GET.get("lang", "").strip() or settings.LANGUAGE_CODE
    if language not in LANGUAGES:
        errors["lang"] = [_("Langue inconnue : choisir parmi %(choices)s.")
                          % {"choices": ", ".join(LANGUAGES)}]
    selection = Selection.from_params(request.GET)
    try:
        upcoming(selection, listing=False)
    except BadFilter as error:
        errors.update(error.errors)
    if errors:
        raise BadFilter(errors)
    return BrochureSpec(selection, size, language)


@require_safe
def brochure(request: HttpRequest) -> HttpResponse:
    """The PDF if it is up to date; otherwise the worker is asked for it and this page
    looks again every few seconds."""
    try:
        spec = _spec(request)
    except BadFilter as error:
        return render(request, "programme/brochure_wait.html", {"errors": error.errors}, status=400)
    found = brochure_current(spec)
    if found is None:
        brochure_request(spec)
        response = render(request, "programme/brochure_wait.html", {
            "refresh": REFRESH_SECONDS, "size": spec.size.upper()}, status=202)
        response["Cache-Control"] = "no-store"
        return response
    etag = f'"{found.fingerprint}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        bytes(found.pdf), content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{spec.filename()}"'})
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response
