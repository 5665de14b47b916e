"""Pages of a campaign's figures: the public page, its coordinators' territory, the printable
report (also as a PDF), each with CSV and JSON downloads.

They only read snapshots (:mod:`observatory.campaign` computes them), in the visitor's
language. Before the first one, a page says the figures are being computed and asks the
worker for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events.models import Campaign
from events.selectors import moderation_territories
from network.auth import signed_in, viewer
from network.models import Person
from observatory.campaign import KIND, NOT_SHOWN, public_key, territory_key
from observatory.disclosure import HIDDEN
from observatory.models import Snapshot
from observatory.snapshots import in_language, snapshot_read, snapshot_request
from observatory.tables import LICENCE, LICENCE_URL, Table, csv_download, json_download

# How often a page waiting for its first figures looks again.
REFRESH_SECONDS = 10
FORMATS = ("html", "csv", "json")
# A report's PDF is kept as long as its snapshot is the day's (the worker stores a new one daily).
PDF_KEPT_SECONDS = 24 * 60 * 60


@dataclass
class Figure:
    table: Table
    chart: str
    csv_url: str


def _figures(data: dict) -> list[Figure]:
    """The tables and charts of a snapshot's ``data`` in the visitor's language."""
    charts = data.get("charts", {})
    return [Figure(table=table, chart=charts.get(table.slug, ""),
                   csv_url=f"?format=csv&table={table.slug}")
            for table in map(Table.from_data, data.get("tables", []))]


def _bad_request(field: str, message: str) -> HttpResponse:
    return HttpResponseBadRequest(f"{field} : {message}", content_type="text/plain; charset=utf-8")


def _waiting(request: HttpRequest, *, key: str, context: dict, as_json: bool) -> HttpResponse:
    """Before the first snapshot: the worker is asked, the visitor told to come back."""
    snapshot_request(kind=KIND, key=key)
    message = _("Les chiffres de cette campagne sont en cours de calcul : revenez dans quelques minutes.")
    if as_json:
        response: HttpResponse = JsonResponse({"code": "computing", "detail": message}, status=202)
    else:
        response = render(request, "observatory/campaign_figures.html",
                          {**context, "waiting": message, "refresh": REFRESH_SECONDS}, status=202)
    response["Cache-Control"] = "no-store"
    return response


def _answer(request: HttpRequest, *, campaign: Campaign, key: str, template: str, context: dict,
            prefix: str, formats: tuple[str, ...] = FORMATS) -> HttpResponse:
    """The page, a table as CSV or every table as JSON, from the snapshot ``key``."""
    fmt = request.GET.get("format", "").strip() or "html"
    if fmt not in formats:
        return _bad_request("format", _("choisir parmi %(choices)s.") % {"choices": ", ".join(formats)})
    context = {"campaign": campaign, "hidden": HIDDEN, "not_shown": NOT_SHOWN, "licence": LICENCE,
               "licence_url": LICENCE_URL, **context}
    snapshot = snapshot_read(kind=KIND, key=key)
    if snapshot is None:
        return _waiting(request, key=key, context=context, as_json=fmt != "html")
    data = in_language(snapshot.data)
    figures = _figures(data)
    if fmt == "csv":
        slug = request.GET.get("table", "").strip()
        chosen = next((figure.table for figure in figures if figure.table.slug == slug), None)
        if chosen is None:
            return _bad_request("table", _("tableau inconnu, choisir parmi %(choices)s.") % {
                "choices": ", ".join(figure.table.slug for figure in figures)})
        return csv_download(chosen, prefix=prefix)
    if fmt == "json":
        return json_download([figure.table for figure in figures], computed_at=snapshot.computed_at, about={
            key: data.get(key) for key in ("campaign", "previous_edition", "territory")})
    return render(request, template, {**context, "snapshot": snapshot, "figures": figures,
                                      "previous": data.get("previous_edition")})


def _territory_of(person: Person | None, campaign: Campaign) -> set[str] | None:
    """The regions ``person`` coordinates ``campaign`` in (``None``: everywhere); anyone
    else is refused."""
    territories = moderation_territories(person)
    if campaign.pk not in territories:
        raise PermissionDenied(_("Réservé aux coordinateur·rices de la campagne."))
    return territories[campaign.pk]


def _territory_name(regions: set[str] | None) -> str:
    return _("toute la France") if regions is None else ", ".join(sorted(regions))


@require_safe
def campaign_figures(request: HttpRequest, slug: str) -> HttpResponse:
    """The public figures: approved, published events only."""
    campaign = get_object_or_404(Campaign, slug=slug)
    coordinates = campaign.pk in moderation_territories(viewer(request))
    return _answer(request, campaign=campaign, key=public_key(campaign),
                   template="observatory/campaign_figures.html", prefix=f"chiffres-{campaign.slug}",
                   context={"coordinates": coordinates})


@require_safe
@login_required
def campaign_territory_figures(request: HttpRequest, slug: str) -> HttpResponse:
    """The same figures over the coordinator's territory, with drafts and refusals counted."""
    campaign = get_object_or_404(Campaign, slug=slug)
    regions = _territory_of(signed_in(request), campaign)
    key = territory_key(campaign, regions)
    waiting = Snapshot.objects.filter(kind=KIND, key=key, requested_at__isnull=False).exists()
    return _answer(request, campaign=campaign, key=key, template="observatory/campaign_figures.html",
                   prefix=f"chiffres-{campaign.slug}-territoire", context={
                       "territory": _territory_name(regions), "national": regions is None,
                       "requested": waiting})


@require_POST
@login_required
def campaign_figures_refresh(request: HttpRequest, slug: str) -> HttpResponse:
    """A coordinator's "Recalculer": fresh figures for their territory and the public page; the
    territory's page says the computation is asked for until the worker is done."""
    campaign = get_object_or_404(Campaign, slug=slug)
    regions = _territory_of(signed_in(request), campaign)
    for key in (territory_key(campaign, regions), public_key(campaign)):
        snapshot_request(kind=KIND, key=key)
    return redirect("observatory:campaign-territory-figures", slug=campaign.slug)


@require_safe
def campaign_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign's report ("bilan"): the public figures as a printable page, or a PDF."""
    campaign = get_object_or_404(Campaign.objects.prefetch_related("coordinators"), slug=slug)
    if request.GET.get("format") != "pdf":
        return _answer(request, campaign=campaign, key=public_key(campaign),
                       template="observatory/campaign_report.html", prefix=f"bilan-{campaign.slug}",
                       context={"pdf_url": "?format=pdf"})
    snapshot = snapshot_read(kind=KIND, key=public_key(campaign))
    if snapshot is None:
        return _waiting(request, key=public_key(campaign), context={"campaign": campaign}, as_json=False)
    return _pdf(request, campaign, snapshot)


def _pdf(request: HttpRequest, campaign: Campaign, snapshot: Snapshot) -> HttpResponse:
    """Laid out once per snapshot and language (seconds of WeasyPrint), then read from the cache."""
    computed = snapshot.computed_at.isoformat() if snapshot.computed_at else ""
    key = f"observatory-campaign-report:{snapshot.pk}:{computed}:{get_language()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = _layout(request, campaign, snapshot)
        cache.set(key, pdf, PDF_KEPT_SECONDS)
    return HttpResponse(pdf, content_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="bilan-{campaign.slug}.pdf"'})


def _layout(request: HttpRequest, campaign: Campaign, snapshot: Snapshot) -> bytes:
    from weasyprint import HTML

    data = in_language(snapshot.data)
    html = render_to_string("observatory/campaign_report.html", {
        "campaign": campaign, "snapshot": snapshot, "figures": _figures(data), "printing": True,
        "previous": data.get("previous_edition"), "hidden": HIDDEN, "not_shown": NOT_SHOWN,
        "licence": LICENCE, "licence_url": LICENCE_URL,
        "page_url": request.build_absolute_uri(reverse("observatory:campaign-report", args=[campaign.slug])),
    }, request=request)
    return HTML(string=html).write_pdf()

