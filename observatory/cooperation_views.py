"""The cooperation observatory's public page, its CSV and JSON downloads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from backend.throttling import TooManyComputations
from observatory import cooperation
from observatory.snapshots import in_language
from observatory.tables import LICENCE, LICENCE_URL, Table, csv_download, json_download


def cooperation_page(request: HttpRequest) -> HttpResponse:
    """``/observatoire/``: the network drawn, its tables beneath; ``?format=csv&table=<slug>``
    and ``?format=json`` download them."""
    form = cooperation.CooperationFilterForm(request.GET)
    filters = form.filters() if form.is_valid() else None
    wanted = request.GET.get("format", "")
    refused = None
    try:
        if wanted and filters is not None:
            return _download(request, wanted, filters, cooperation.snapshot_for(filters, request))
        data = cooperation.page_read(filters, request) if filters else None
    except TooManyComputations as error:
        if wanted:
            return JsonResponse({"code": error.code, "detail": error.detail}, status=error.status,
                                headers={"Retry-After": str(error.retry_after)})
        data, refused = None, error
    context = {
        "form": form, "chosen": _chosen(filters, request), "filters": filters, "data": data,
        "refused": refused, "tables": data["tables"] if data else {},
        "query": filters.key if filters else "", "licence": LICENCE, "licence_url": LICENCE_URL,
    }
    response = render(request, "observatory/cooperation.html", context,
                      status=refused.status if refused else 200 if filters else 400)
    if refused:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _download(request: HttpRequest, wanted: str, filters: cooperation.Filters, snapshot) -> HttpResponse:
    if wanted not in ("csv", "json"):
        return JsonResponse({"format": [_("Format attendu : csv ou json.")]}, status=400)
    if snapshot is None:
        return JsonResponse({"detail": _("Ces chiffres sont en cours de calcul : réessayez dans une "
                                         "minute.")}, status=202)
    data = in_language(snapshot.data)
    tables = [Table.from_data(table) for table in data["tables"]]
    if wanted == "json":
        view = data["view"]
        return json_download(tables, about={"filters": view["filters"], "summary": view["summary"]},
                             computed_at=snapshot.computed_at)
    chosen = [table for table in tables if table.slug == request.GET.get("table")]
    if not chosen:
        return JsonResponse({"table": [_("Tableau attendu : %(slugs)s.") % {
            "slugs": ", ".join(table.slug for table in tables)}]}, status=400)
    return csv_download(chosen[0], prefix="cooperations")


def _chosen(filters: cooperation.Filters | None, request: HttpRequest) -> dict[str, str]:
    """What the form shows as chosen: the filter in effect (a department's region, this year
    when no period is given), or what was typed when it is not valid."""
    if filters is None:
        return {name: request.GET.get(name, "") for name in cooperation.CooperationFilterForm.base_fields}
    return {"region": filters.region, "department": filters.department, "kind": filters.kind,
            "year": str(filters.year or ""), "start": filters.start.isoformat() if filters.start else "",
            "end": filters.end.isoformat() if filters.end else ""}
