"""Pages of campaign coordinators (the moderation queue of their territory, one decision or
several at once) and the moderation history an event's organizers and coordinators read.

Every decision goes through ``events.services.event_moderate`` (``events_moderate`` for
several), which checks the campaign and the territory; these views only choose what to
show and turn a refusal into a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backend.api import DomainError
from events import selectors, services
from events.models import Campaign
from network.models import Role
from network.selectors import organization_ids_for
from web.forms import BulkModerationForm, ModerationForm, QueueFilterForm, refusal_text

MODERATION_PAGE_SIZE = 20


def _back_to_queue(request) -> str:
    """The queue as it was filtered when the decision was made."""
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return reverse("web:moderation") + (f"?{query}" if query else "")


@login_required
def moderation_queue(request):
    is_coordinator = bool(organization_ids_for(request.user, Role.COORDINATOR))
    if not is_coordinator:
        return render(request, "web/moderation.html", {"is_coordinator": False}, status=403)
    territories = selectors.moderation_territories(request.user)
    regions = selectors.moderation_regions(request.user)
    campaigns = list(Campaign.objects.filter(pk__in=territories).order_by("-starts_on", "title"))
    filters = QueueFilterForm(request.GET or None, campaigns=campaigns, regions=regions)
    queue = selectors.moderation_queue(request.user, **filters.filters())
    page = Paginator(queue, MODERATION_PAGE_SIZE).get_page(request.GET.get("page"))
    hints = selectors.clash_hints_for(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/moderation.html", {
        "is_coordinator": True,
        "page": page,
        "items": [(event, selectors.place_of(event)["display"], hints[event.pk])
                  for event in page.object_list],
        "filters": filters,
        "territory": ", ".join(regions) if None not in territories.values() else "",
        "national": None in territories.values(),
        "campaigns": campaigns,
        "form": ModerationForm(),
        "bulk_form": BulkModerationForm(event_ids=[]),
        "query": query.urlencode(),
    })


@login_required
@require_POST
def moderate(request, slug: str):
    """One event's decision, from its card in the queue."""
    event = get_object_or_404(selectors.event_list(request.user), slug=slug)
    form = ModerationForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if not form.is_valid():
        messages.error(request, " ".join(str(message) for message in form.errors["comment"]))
    else:
        try:
            services.event_moderate(actor=request.user, event=event, approve=approve,
                                    comment=form.cleaned_data["comment"])
        except (DomainError, ValidationError) as error:
            messages.error(request, refusal_text(error))
        else:
            text = _("« %(title)s » est approuvé.") if approve else _("« %(title)s » est refusé.")
            messages.success(request, text % {"title": event.title})
    return redirect(_back_to_queue(request))


@login_required
@require_POST
def moderate_many(request):
    """The same decision on the events ticked in the queue, all or none."""
    posted = [int(value) for value in request.POST.getlist("events") if value.isdecimal()]
    visible = list(selectors.events_visible_to(request.user).filter(pk__in=posted))
    form = BulkModerationForm(request.POST, event_ids=[event.pk for event in visible])
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect(_back_to_queue(request))
    approve = form.cleaned_data["decision"] == "approve"
    chosen = [event for event in visible if event.pk in set(form.cleaned_data["events"])]
    try:
        services.events_moderate(actor=request.user, events=chosen, approve=approve,
                                 comment=form.cleaned_data["comment"])
    except (DomainError, ValidationError) as error:
        messages.error(request, refusal_text(error))
    else:
        count = len(chosen)
        text = (ngettext("%(count)d événement approuvé.", "%(count)d événements approuvés.", count) if approve
                else ngettext("%(count)d événement refusé.", "%(count)d événements refusés.", count))
        messages.success(request, text % {"count": count})
    return redirect(_back_to_queue(request))


@login_required
def event_moderation(request, slug: str):
    """An event's moderation history, for its organizers and its campaign's coordinators."""
    event = get_object_or_404(selectors.event_list(request.user), slug=slug)
    organizes = selectors.can_organize(request.user, event)
    coordinates = selectors.can_moderate(request.user, event.campaign)
    if not (organizes or coordinates):
        return render(request, "web/not_organizer.html", status=403)
    return render(request, "web/event_moderation.html", {
        "event": event, "place": selectors.place_of(event)["display"],
        "decisions": selectors.decisions_of(event), "can_organize": organizes, "can_moderate": coordinates})
