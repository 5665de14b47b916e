"""The coworking flows page of a pass network (``/reseaux/<network>/flux/``), its CSV and
JSON downloads, and the coordinators' "Recalculer".

The figures are read from the snapshot the worker computed (``observatory.flows``); who may
read them is :func:`observatory.flows.flows_reader`'s rule: anyone else gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backend.api import DomainError
from observatory import flows
from observatory.models import Snapshot
from observatory.snapshots import snapshot_read, snapshot_request
from observatory.tables import csv_download, json_download
from passes.models import PassNetwork

DOWNLOADS = ("html", "csv", "json")


def _refused(field: str, message: str) -> HttpResponse:
    # As every download of the observatory answers a bad parameter: a 400 naming it.
    return HttpResponseBadRequest(f"{field} : {message}", content_type="text/plain; charset=utf-8")


def _readable(request, slug: str) -> tuple[PassNetwork, flows.Reader]:
    network = get_object_or_404(PassNetwork, slug=slug)
    reader = flows.flows_reader(request.user, network)
    if reader is None:
        raise Http404
    return network, reader


def _coordinators_only(view: Callable) -> Callable:
    """Runs ``view(request, network)`` for the network's coordinators; 404 for anyone else, as
    for those who may not read the flows."""

    @wraps(view)
    def wrapper(request, network: str):
        network_obj, reader = _readable(request, network)
        if not reader.is_coordinator:
            raise Http404
        return view(request, network_obj)

    return wrapper


# Drawn figures are kept as long as their snapshot is the day's (the worker stores a new one daily).
FIGURES_KEPT_SECONDS = 24 * 60 * 60


def _figures_drawn(network: PassNetwork, snapshot: Snapshot, *, first, last,
                   space: dict | None) -> flows.Figures:
    """The page's tables and charts, drawn once per snapshot, months, space and language (tens of
    milliseconds of charts), then read from Django's cache."""
    computed = snapshot.computed_at.isoformat() if snapshot.computed_at else ""
    key = (f"observatory-flows:{network.slug}:{computed}:{first:%Y-%m}:{last:%Y-%m}:"
           f"{space['slug'] if space else ''}:{get_language()}")
    figures = cache.get(key)
    if figures is None:
        figures = flows.figures(snapshot.data, first=first, last=last, space=space)
        cache.set(key, figures, FIGURES_KEPT_SECONDS)
    return figures


@require_safe
def flows_page(request, network: str):
    """The flows of the months asked for (``?from=AAAA-MM&to=AAAA-MM``, the last twelve by
    default; ``&space=<slug>``: the presences of one space); ``?format=csv&table=<slug>``
    downloads one table, ``?format=json`` all."""
    network_obj, reader = _readable(request, network)
    today = timezone.localdate()
    status = 200
    refusal = None
    snapshot = snapshot_read(kind=flows.KIND, key=network_obj.slug)
    if snapshot is None:
        snapshot_request(kind=flows.KIND, key=network_obj.slug)
    data = snapshot.data if snapshot else {}
    space = None
    try:
        first, last = flows.month_range(first=request.GET.get("from"), last=request.GET.get("to"),
                                        today=today)
        space = flows.space_chosen(data, request.GET.get("space"))
    except DomainError as error:
        refusal, status = error, 400
        first, last = flows.month_range(first=None, last=None, today=today)
    download = request.GET.get("format", "").strip() or "html"
    if download not in DOWNLOADS:
        return _refused("format", _("choisir parmi %(choices)s.") % {"choices": ", ".join(DOWNLOADS)})
    if download != "html":
        if refusal is not None:
            return _refused(refusal.field or "from", refusal.detail)
        if snapshot is None:  # the worker was just asked (above)
            return HttpResponse(_("Les chiffres du réseau sont en cours de calcul : revenez dans "
                                  "quelques instants."), status=202, content_type="text/plain; charset=utf-8")
        download_figures = flows.figures(data, first=first, last=last, space=space, draw=False)
        if download == "json":
            return json_download(download_figures.tables, about={
                "network": network_obj.slug, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}",
                "space": space["slug"] if space else None},
                computed_at=snapshot.computed_at)
        slug = request.GET.get("table", "").strip()
        table = next((t for t in download_figures.tables if t.slug == slug), None)
        if table is None:
            return _refused("table", _("tableau inconnu, choisir parmi %(choices)s.") % {
                "choices": ", ".join(t.slug for t in download_figures.tables)})
        return csv_download(table, prefix=f"flux-{network_obj.slug}-{first:%Y-%m}-{last:%Y-%m}")
    figures = _figures_drawn(network_obj, snapshot, first=first, last=last, space=space) if snapshot else None
    response = render(request, "observatory/flows.html", {
        "network": network_obj, "access": reader, "reader": reader, "snapshot": snapshot,
        # Fresh figures asked for and not stored yet (or none computed so far).
        "pending": snapshot is None or snapshot.requested_at is not None,
        "figures": figures, "refusal": refusal,
        "shown": [(table, figures.charts.get(table.slug)) for table in figures.tables] if figures else [],
        "range": {"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}", "space": space["slug"] if space else ""},
        "months": data.get("months", []), "spaces": data.get("spaces", []),
    }, status=status)
    if not network_obj.public_flows:
        add_never_cache_headers(response)
    return response


@login_required
@require_POST
@_coordinators_only
def flows_refresh(request, network_obj: PassNetwork):
    """Ask the worker for fresh figures (the network's coordinators)."""
    snapshot_request(kind=flows.KIND, key=network_obj.slug)
    messages.success(request, _("Le calcul est demandé : les chiffres seront à jour dans quelques "
                                "instants, rechargez la page."))
    return redirect("observatory:flows", network=network_obj.slug)


@login_required
@require_POST
@_coordinators_only
def flows_publish(request, network_obj: PassNetwork):
    """Publish the flows, or make them private again (the network's coordinators)."""
    public = request.POST.get("public") == "1"
    flows.flows_publish(network=network_obj, public=public)
    messages.success(request, _("Les flux du réseau sont publics : toute personne peut lire cette page.")
                     if public else _("Les flux du réseau sont réservés à ses coordinateur·rices et "
                                      "aux gestionnaires de ses espaces."))
    return redirect("observatory:flows", network=network_obj.slug)
