"""Pages of imported agendas: an organization's sources, adding one (preview, then confirm),
and one source's page (status, options, pause, sync now, new file, delete).

Every write goes through ``imports.services``, which checks the roles. A file chosen for a
preview is kept an hour in the cache under a random token, so that confirming does not ask
for it again.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from backend.api import DomainError
from backend.middleware import accepts_upload
from backend.spreadsheet import csv_response
from events.models import Event
from events.selectors import can_organize
from imports import selectors, services
from imports.models import SourceKind
from imports.programme import template_rows
from network.models import Organization, Role
from network.selectors import has_role
from web.forms import SourceForm, UploadForm, refusal_text

FILE_SECONDS = 3600


def _file_key(request, token: str) -> str:
    return f"imports:file:{request.user.pk}:{token}"


def _keep_file(request, upload: bytes, name: str) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_file_key(request, token), {"upload": upload, "upload_name": name}, FILE_SECONDS)
    return token


def _kept_file(request, token: str) -> dict | None:
    return cache.get(_file_key(request, token)) if token else None


def _organization_for(request, slug: str) -> Organization | None:
    organization = get_object_or_404(Organization, slug=slug)
    return organization if has_role(request.user, organization.pk, Role.ORGANIZER) else None


WHAT = {"created": _lazy("Nouveau"), "updated": _lazy("Modifié"), "cancelled": _lazy("Annulé")}


def _report_context(report: services.SyncReport) -> dict:
    data = report.as_dict()
    changes = [{**change, "starts_at": datetime.fromisoformat(change["starts_at"]),
                "what": WHAT[change["what"]]} for change in data["changes"]]
    return {"report": data, "summary": services.summary(data), "changes": changes}


@accepts_upload
@login_required
@require_http_methods(["GET", "POST"])
def sources(request, slug: str):
    organization = _organization_for(request, slug)
    if organization is None:
        return render(request, "web/not_organizer.html", status=403)
    token = request.POST.get("file_token", "")
    kept = _kept_file(request, token) if request.POST.get("action") == "confirm" else None
    form = SourceForm(request.POST or None, request.FILES or None, kept_file=kept is not None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if kept:
            kind = "csv" if kept["upload_name"].lower().endswith(".csv") else "ics"
            fields.update(kind=kind, url="", **kept)
        try:
            if request.POST.get("action") == "confirm":
                return _confirm(request, organization, fields)
            report = services.source_preview(actor=request.user, organization=organization, **fields)
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            if fields.get("upload"):
                token = _keep_file(request, fields["upload"], fields["upload_name"])
            return render(request, "web/source_preview.html", {
                "organization": organization, "form": form, "file_token": token,
                "file_name": fields.get("upload_name", ""), **_report_context(report)})
    return render(request, "web/sources.html", {
        "organization": organization, "form": form,
        "sources": selectors.sources_managed_by(request.user).filter(organization=organization),
    })


def _confirm(request, organization: Organization, fields: dict):
    source = services.source_create(actor=request.user, organization=organization, **fields)
    try:
        report = services.source_sync(source_id=source.pk)
    except (DomainError, ValidationError) as error:
        messages.error(request, _("Source ajoutée, mais la synchronisation a échoué : %(error)s")
                       % {"error": refusal_text(error)})
    else:
        messages.success(request, _("Agenda importé : %(summary)s.") % {"summary": services.summary(
            report.as_dict())})
    return redirect("web:source", slug=organization.slug, pk=source.pk)


@accepts_upload
@login_required
@require_http_methods(["GET", "POST"])
def source_detail(request, slug: str, pk: int):
    organization = _organization_for(request, slug)
    if organization is None:
        return render(request, "web/not_organizer.html", status=403)
    source = get_object_or_404(selectors.sources_managed_by(request.user), pk=pk, organization=organization)
    action = request.POST.get("action", "")
    form = SourceForm(request.POST if action == "save" else None, editing=True,
                      initial=SourceForm.initial_for(source))
    upload_form = UploadForm(request.POST if action == "preview-upload" else None,
                             request.FILES if action == "preview-upload" else None)
    if source.kind != SourceKind.URL:
        del form.fields["url"], form.fields["interval_minutes"]
    try:
        if action == "save" and form.is_valid():
            services.source_update(actor=request.user, source=source, **form.service_fields())
            messages.success(request, _("Options enregistrées : elles valent dès la prochaine "
                                        "synchronisation."))
            return redirect("web:source", slug=slug, pk=pk)
        if action in ("pause", "resume"):
            services.source_pause(actor=request.user, source=source, paused=action == "pause")
            messages.success(request, _("Source mise en pause : ses événements restent tels quels.")
                             if action == "pause" else _("Source reprise : elle se synchronise à nouveau."))
            return redirect("web:source", slug=slug, pk=pk)
        if action == "sync":
            services.source_sync_request(actor=request.user, source=source)
            messages.success(request, _("Synchronisation demandée : elle se fait dans la minute."))
            return redirect("web:source", slug=slug, pk=pk)
        if action == "delete":
            left = services.source_delete(actor=request.user, source=source)
            messages.success(request, _("Source supprimée ; ses %(count)s événements restent, modifiables "
                                        "à la main.") % {"count": left})
            return redirect("web:sources", slug=slug)
        if action == "preview":
            return render(request, "web/source_preview.html", {
                "organization": organization, "source": source,
                **_report_context(services.source_preview(actor=request.user, source=source))})
        if action == "preview-upload" and upload_form.is_valid():
            uploaded = upload_form.cleaned_data["file"]
            upload, name = uploaded.read(), uploaded.name or ""
            report = services.source_preview(actor=request.user, source=source, upload=upload,
                                             upload_name=name)
            return render(request, "web/source_preview.html", {
                "organization": organization, "source": source, "file_name": name,
                "file_token": _keep_file(request, upload, name), **_report_context(report)})
        if action == "confirm":
            kept = _kept_file(request, request.POST.get("file_token", ""))
            if kept:
                services.source_upload(actor=request.user, source=source, **kept)
            report = services.source_sync(source_id=source.pk, force=True)
            messages.success(request, _("Synchronisé : %(summary)s.") % {"summary": services.summary(
                report.as_dict())})
            return redirect("web:source", slug=slug, pk=pk)
    except (DomainError, ValidationError) as error:
        if action == "save":
            form.add_service_error(error)
        else:
            messages.error(request, refusal_text(error))
    source.refresh_from_db()
    return render(request, "web/source.html", {
        "organization": organization, "source": source, "form": form, "upload_form": upload_form,
        "report": source.last_report, "summary": services.summary(source.last_report) if source.last_report
        else "", "events": selectors.source_upcoming_events(source)[:100],
    })


@login_required
@require_POST
def event_detach(request, slug: str):
    event = get_object_or_404(Event.objects.select_related("import_item"), slug=slug)
    if not can_organize(request.user, event):
        return render(request, "web/not_organizer.html", status=403)
    try:
        services.item_detach(actor=request.user, event=event)
    except DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Événement détaché de son agenda d'origine : vous le modifiez ici, et "
                                    "l'agenda d'origine ne le change plus."))
    return redirect("web:event-edit", slug=slug)


def programme_template(request):
    """The CSV template of a programme, with two example rows."""
    header, rows = template_rows()
    return csv_response("programme-modele.csv", header, rows)
