"""Downloading the printed programme of a selection.

Two addresses. ``/programme/imprimer/?…``, the one people share and bookmark, answers the PDF
when it is up to date and otherwise sends the visitor to ``/programme/imprimer/preparation/?…``
(same parameters). That page asks the worker for the PDF and reloads itself (a meta refresh, no
script needed) until it is ready, then says so and links to the PDF: a reload never turns into
a download, and the page never stays saying that the programme is being prepared.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from backend.throttling import TooManyComputations, charge_new_computation
from programme.brochure import (
    SIZES,
    BrochureSpec,
    brochure_asked_before,
    brochure_current,
    brochure_printable,
    brochure_request,
)
from programme.selectors import BadFilter, language_param, selection_param

# How often the waiting page looks again.
REFRESH_SECONDS = 5


def _spec(request: HttpRequest) -> BrochureSpec:
    errors: dict[str, list[str]] = {}
    size = request.GET.get("size", "").strip().lower() or "a4"
    if size not in SIZES:
        errors["size"] = [_("Format de page : a4 ou a5.")]
    language = language_param(request.GET, errors)
    selection = selection_param(request.GET, errors)
    if errors:
        raise BadFilter(errors)
    return BrochureSpec(selection, size, language)


def _refused(request: HttpRequest, error: BadFilter) -> HttpResponse:
    return render(request, "programme/brochure_wait.html", {"errors": error.errors}, status=400)


def _query(request: HttpRequest) -> str:
    return request.GET.urlencode()


@require_safe
def brochure(request: HttpRequest) -> HttpResponse:
    """The PDF if it is up to date; otherwise the page that has it prepared."""
    try:
        spec = _spec(request)
    except BadFilter as error:
        return _refused(request, error)
    found = brochure_current(spec)
    if found is None or not found.event_count:
        return redirect(f"{reverse('programme:brochure-wait')}?{_query(request)}")
    etag = f'"{found.fingerprint}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        bytes(found.pdf), content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{spec.filename()}"'})
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def brochure_wait(request: HttpRequest) -> HttpResponse:
    """Ready: says so, with the link to the PDF. Nothing to print: says so. Otherwise the worker
    is asked for it (once, however many wait) and the page looks again every few seconds."""
    try:
        spec = _spec(request)
    except BadFilter as error:
        return _refused(request, error)
    context: dict[str, object] = {"size": spec.size.upper(),
                                  "download_url": f"{reverse('programme:brochure')}?{_query(request)}"}
    found = brochure_current(spec)
    if found is not None and found.event_count:
        context.update(ready=True, events=found.event_count, bytes=len(found.pdf))
        status = 200
    elif found is not None or not brochure_printable(spec.selection):
        context.update(empty=True, agenda_url=spec.selection.agenda_path)
        status = 404
    else:
        try:
            if not brochure_asked_before(spec):
                charge_new_computation(request)  # a selection nobody asked to print before
        except TooManyComputations as refused:
            response = _waiting_page(request, {**context, "refused": refused.detail}, refused.status)
            response["Retry-After"] = str(refused.retry_after)
            return response
        brochure_request(spec)
        context.update(refresh=REFRESH_SECONDS)
        status = 202
    return _waiting_page(request, context, status)


def _waiting_page(request: HttpRequest, context: dict, status: int) -> HttpResponse:
    response = render(request, "programme/brochure_wait.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
