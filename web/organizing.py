"""Pages for organizers: their events, the event form, the requests to co-organize (the
coordinators' pages are in ``web/moderation.py``).

Every write goes through ``events.services``, which checks the roles; these
views only choose what to show and turn a refusal into a message on the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from backend.api import DomainError
from backend.middleware import accepts_upload
from events import selectors, services
from events.models import CoOrganizationStatus, EventStatus
from events.services import IMPORTED_FIELDS
from imports.selectors import import_item_of
from network.models import Role
from network.selectors import organization_ids_for, organizations_for
from web.forms import CancelForm, EventForm, refusal_text

# "My events" lists every upcoming event and this many past ones.
PAST_SHOWN = 30
# The requests page shows every pending request and this many answered ones.
ANSWERED_SHOWN = 30


class _DryRun(Exception):
    """Raised to roll back a checked-but-not-saved event."""


@login_required
def my_events(request):
    mine = selectors.events_organized_by(organization_ids_for(request.user, Role.ORGANIZER))
    events = selectors.event_list(request.user).filter(mine)
    now = timezone.now()
    return render(request, "web/my_events.html", {
        "upcoming": events.filter(ends_at__gte=now).order_by("starts_at", "id"),
        "past": events.filter(ends_at__lt=now).order_by("-starts_at", "-id")[:PAST_SHOWN],
        "can_create": organizations_for(request.user, Role.ORGANIZER).exists(),
        "organizations": organizations_for(request.user, Role.ORGANIZER).order_by("name"),
        "pending_requests": selectors.co_organization_requests_for(request.user).filter(
            status=CoOrganizationStatus.PENDING).count(),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def co_organizations(request):
    """Requests to co-organize sent to the organizations I organize for: accept or decline."""
    requests = selectors.co_organization_requests_for(request.user)
    if request.method == "POST":
        chosen = request.POST.get("request", "")
        answered = get_object_or_404(requests, pk=int(chosen) if chosen.isdecimal() else None)
        accept = request.POST.get("decision") == "accept"
        try:
            answered = services.co_organization_decide(actor=request.user, co_organization=answered,
                                                       accept=accept)
        except DomainError as error:
            messages.error(request, refusal_text(error))
        else:
            values = {"organization": answered.organization.name, "title": answered.event.title}
            messages.success(request, (
                _("%(organization)s co-organise « %(title)s ».") if accept
                else _("%(organization)s ne co-organise pas « %(title)s » ; la structure "
                       "organisatrice est prévenue.")) % values)
        return redirect("web:co-organizations")
    return render(request, "web/co_organizations.html", {
        "pending": requests.filter(status=CoOrganizationStatus.PENDING),
        "answered": requests.exclude(status=CoOrganizationStatus.PENDING)[:ANSWERED_SHOWN],
        "is_organizer": bool(organization_ids_for(request.user, Role.ORGANIZER)),
    })


def _check_only(request, write):
    """Run the service inside a transaction that is always rolled back: every rule
    (room taken, campaign window…) answers, and the clash hints are those the
    saved event would get."""
    hints = []
    try:
        with transaction.atomic():
            hints = selectors.clash_hints(write())
            raise _DryRun
    except _DryRun:
        messages.info(request, _("Vérification faite : rien n'est encore enregistré."))
    return hints


@accepts_upload
@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    organizations = organizations_for(request.user, Role.ORGANIZER)
    if not organizations.exists():
        return render(request, "web/not_organizer.html", status=403)
    form = EventForm(request.POST or None, request.FILES or None, organizations=organizations, repeat=True)
    hints = None
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        rrule = fields.pop("rrule")
        if "check" in request.POST:
            fields.pop("image", None)  # a check stores nothing, not even the image

        def write():
            if rrule is None:
                return services.event_create(actor=request.user, **fields)
            series = services.series_create(actor=request.user, rrule=rrule, **fields)
            return series.events.order_by("starts_at").first()
        try:
            if "check" in request.POST:
                hints = _check_only(request, write)
            else:
                event = write()
                if rrule is None:
                    messages.success(request, _("Événement enregistré."))
                    return redirect("web:event-edit", slug=event.slug)
                count = event.series.events.count()
                messages.success(request, ngettext("Série enregistrée : %(count)d date.",
                                                   "Série enregistrée : %(count)d dates.", count)
                                 % {"count": count})
                return redirect("web:series", pk=event.series_id)
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
    return render(request, "web/event_form.html", {"form": form, "hints": hints, "event": None})


@accepts_upload
@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, slug: str):
    event = get_object_or_404(selectors.event_list(request.user), slug=slug)
    if not selectors.can_organize(request.user, event):
        return render(request, "web/not_organizer.html", status=403)
    form = EventForm(request.POST or None, request.FILES or None, initial=EventForm.initial_for(event),
                     lead=event.organization)
    imported_from = import_item_of(event)
    if imported_from is not None:
        # What the source gives changes in the source (or after detaching the event).
        for name in set(IMPORTED_FIELDS) & set(form.fields):
            form.fields[name].disabled = True
    hints = selectors.clash_hints(event)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        if "check" in request.POST:
            changes.pop("image", None)  # a check stores nothing, not even the image

        def write():
            return services.event_update(actor=request.user, event=event, **changes)
        try:
            if "check" in request.POST:
                hints = _check_only(request, write)
            else:
                invited = {c.organization_id: c for c in selectors.co_organizations_of(event)}
                event = write()
                messages.success(request, _("Modifications enregistrées."))
                _tell_invitations(request, event, invited)
                return redirect("web:event-edit", slug=event.slug)
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
    return render(request, "web/event_form.html", {
        "form": form, "hints": hints, "event": event, "cancel_form": CancelForm(),
        "co_organizations": selectors.co_organizations_of(event), "imported_from": imported_from})


def _tell_invitations(request, event, before: dict) -> None:
    """Say whom a save asked to co-organize and whom it left out: an unticked structure's
    request is withdrawn, which must not go unnoticed."""
    after = {c.organization_id: c for c in selectors.co_organizations_of(event)}
    asked = [c.organization.name for pk, c in after.items()
             if c.status == CoOrganizationStatus.PENDING and (
                 pk not in before or before[pk].status != CoOrganizationStatus.PENDING)]
    dropped = [c.organization.name for pk, c in before.items() if pk not in after]
    if asked:
        messages.info(request, _("Demande de co-organisation envoyée à : %(names)s.")
                      % {"names": ", ".join(asked)})
    if dropped:
        messages.warning(request, _("Ne sont plus invitées à co-organiser : %(names)s.")
                         % {"names": ", ".join(dropped)})


@accepts_upload
@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request, pk: int):
    series = get_object_or_404(selectors.series_visible_to(request.user).select_related("organization"),
                               pk=pk)
    dates = list(selectors.event_list(request.user).filter(series=series).order_by("starts_at", "id"))
    if not selectors.can_organize_series(request.user, series, dates):
        return render(request, "web/not_organizer.html", status=403)
    now = timezone.now()
    template = next((e for e in dates if e.starts_at > now and e.status != EventStatus.CANCELLED), None)
    form = EventForm(request.POST or None, request.FILES or None,
                     initial=EventForm.initial_for_series(series, template), lead=series.organization,
                     repeat=True)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        rrule = changes.pop("rrule") or None
        try:
            services.series_update(actor=request.user, series=series, rrule=rrule, **changes)
        except (DomainError, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Série modifiée : les dates à venir suivent les changements."))
            return redirect("web:series", pk=series.pk)
    return render(request, "web/series.html", {"series": series, "dates": dates, "form": form,
                                               "template": template})


@login_required
@require_POST
def event_cancel(request, slug: str):
    event = get_object_or_404(selectors.event_list(request.user), slug=slug)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(message) for message in form.errors["reason"]))
        return redirect("web:event-edit", slug=event.slug)
    try:
        services.event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
    except (DomainError, ValidationError) as error:
        messages.error(request, refusal_text(error))
        return redirect("web:event-edit", slug=event.slug)
    messages.success(request, _("L'événement est annulé ; les inscrit·es sont prévenu·es."))
    return redirect("web:event", slug=event.slug)
