"""Pages of an event's attendees, for its organizers: the list (search, counts, add by hand,
cancel after confirming, write to registrants) and the door, where entry codes are checked.

Every write goes through ``events.services`` or ``events.attendance``, which check the
roles again; these views choose what to show and turn a refusal into a sentence. An
event the person cannot see is a 404; one they see but do not organize, a 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from backend.api import DomainError
from events import attendance, selectors, services
from events.models import Event, RegistrationStatus
from web.attendee_forms import DoorForm, EventMessageForm, RegistrationAddForm, RegistrationSearchForm
from web.forms import refusal_text
from web.templatetags.essaim_dates import clock, longdate

ATTENDEES_PAGE_SIZE = 100
MESSAGES_SHOWN = 10
# Empty lines at the end of the printed sheet, for people added on the day.
SHEET_BLANK_LINES = 8
# Entries listed under the door's answer, latest first.
DOOR_RECENT = 8
# The outcome of the last scan, kept in the session across the redirect after the POST.
DOOR_RESULT = "door_result"


def _organized_event(request, slug: str) -> Event | None:
    """The event if the person organizes it, ``None`` if they only see it (404 otherwise)."""
    events = (selectors.events_visible_to(request.user).select_related("organization", "room__space")
              .prefetch_related("co_organizers"))
    event = get_object_or_404(events, slug=slug)
    return event if selectors.can_organize(request.user, event) else None


def _not_organizer(request):
    return render(request, "web/not_organizer.html", status=403)


def _organizers_only(view: Callable) -> Callable:
    """Runs ``view(request, event, …)`` for the event's organizers; the 403 page for those who
    only see the event, 404 for anyone else."""

    @wraps(view)
    def wrapper(request, slug: str, **kwargs):
        event = _organized_event(request, slug)
        if event is None:
            return _not_organizer(request)
        return view(request, event, **kwargs)

    return wrapper


def _attendees_page(request, event: Event, *, add_form=None, message_form=None, status: int = 200):
    search = RegistrationSearchForm(request.GET or None)
    query, wanted = "", ""
    if search.is_valid():
        query, wanted = search.cleaned_data["q"], search.cleaned_data["status"]
    rows = selectors.registrations_search(event, query=query, status=wanted).select_related("checked_in_by")
    page = Paginator(rows, ATTENDEES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/event_registrations.html", {
        "event": event,
        "counts": selectors.attendance_of(event),
        "page": page,
        "registrations": page.object_list,
        "search": search,
        "searching": bool(query or wanted),
        "add_form": add_form or RegistrationAddForm(),
        "message_form": message_form or EventMessageForm(),
        "sent_messages": selectors.event_messages_of(event)[:MESSAGES_SHOWN],
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
@_organizers_only
def event_registrations(request, event: Event):
    """The event's registrations for its organizers: counts, search, attendance, and the
    forms to add someone and to write to registrants."""
    return _attendees_page(request, event)


@login_required
@require_http_methods(["GET", "HEAD"])
@_organizers_only
def attendance_sheet(request, event: Event):
    """The sheet to print and sign (émargement): confirmed registrants by name, a column for
    the organization and one for the signature, and blank lines for people added on the day."""
    registrations = selectors.registrations_search(event, status=RegistrationStatus.CONFIRMED).order_by(
        Lower("name"), "id")
    return render(request, "web/attendance_sheet.html", {
        "event": event, "registrations": registrations, "blank_lines": range(SHEET_BLANK_LINES)})


@login_required
@require_POST
@_organizers_only
def registration_add(request, event: Event):
    form = RegistrationAddForm(request.POST)
    if form.is_valid():
        try:
            registration = services.registration_create(event=event, added_by=request.user,
                                                        **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            form.add_error("email", refusal_text(error))
        else:
            if registration.status == RegistrationStatus.CONFIRMED:
                text = _("%(name)s est inscrit·e (code %(code)s) et reçoit sa confirmation par e-mail.")
            else:
                text = _("L'événement est complet : %(name)s est n° %(position)s en liste d'attente.")
            messages.success(request, text % {"name": registration.name, "code": registration.code,
                                              "position": registration.position})
            return redirect("web:event-registrations", slug=event.slug)
    return _attendees_page(request, event, add_form=form, status=400)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@_organizers_only
def registration_cancel(request, event: Event, pk: int):
    """Confirm, then cancel one registration (its seat goes to the waitlist before the start)."""
    registration = get_object_or_404(event.registrations, pk=pk)
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration, actor=request.user)
        except DomainError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("Inscription de %(name)s annulée ; la personne est prévenue.")
                             % {"name": registration.name})
        return redirect("web:event-registrations", slug=event.slug)
    return render(request, "web/registration_cancel.html", {"event": event, "registration": registration})


@login_required
@require_POST
@_organizers_only
def registrants_write(request, event: Event):
    form = EventMessageForm(request.POST)
    if form.is_valid():
        try:
            message, created = attendance.registrants_write(actor=request.user, event=event,
                                                            **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            if isinstance(error, DomainError) and error.field in form.fields:
                form.add_error(error.field, refusal_text(error))
            elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, refusal_text(error))
        else:
            if created:
                messages.success(request, ngettext(
                    "Message « %(subject)s » envoyé à %(count)d personne.",
                    "Message « %(subject)s » envoyé à %(count)d personnes.", message.recipients)
                    % {"subject": message.subject, "count": message.recipients})
            else:
                messages.info(request, _("Ce message est déjà parti : il n'est pas envoyé une seconde fois."))
            return redirect("web:event-registrations", slug=event.slug)
    return _attendees_page(request, event, message_form=form, status=400)


# --- the door ------------------------------------------------------------------------

def _door_result(event: Event, entry: attendance.DoorEntry) -> dict:
    """What the door shows after a scan (plain values: it goes in the session)."""
    registration = entry.registration
    today = timezone.now().astimezone(event.zone).date()
    at = (clock(entry.at, event.time_zone) if entry.at.astimezone(event.zone).date() == today
          else longdate(entry.at, event.time_zone))
    return {"event": event.slug, "ok": True, "already": not entry.first_time,
            "name": registration.name, "first_name": registration.name.split(" ")[0],
            "code": registration.code, "at": at}


@login_required
@require_POST
@_organizers_only
def door_walk_in(request, event: Event):
    """Someone at the door without a registration: register them (a seat if one is left) and let
    them in, in one go."""
    form = RegistrationAddForm(request.POST)
    if form.is_valid():
        try:
            registration = services.registration_create(event=event, added_by=request.user,
                                                        **form.cleaned_data)
            entry = attendance.registration_check_in(actor=request.user, event=event,
                                                     code=registration.code)
        except DomainError as refusal:
            request.session[DOOR_RESULT] = {"event": event.slug, "ok": False, "reason": refusal_text(refusal)}
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[DOOR_RESULT] = _door_result(event, entry)
        if not form.errors:
            return redirect("web:event-door", slug=event.slug)
    return _door_page(request, event, form=DoorForm(), result=None, walk_in_form=form, status=400)


@login_required
@require_POST
@_organizers_only
def door_undo(request, event: Event, pk: int):
    """Take back an entry recorded by mistake, from the door or the attendees list."""
    registration = get_object_or_404(event.registrations, pk=pk)
    attendance.registration_check_in_undo(actor=request.user, event=event, code=registration.code)
    messages.success(request, _("Entrée de %(name)s retirée : son code peut de nouveau servir.")
                     % {"name": registration.name})
    back = "web:event-registrations" if request.POST.get("from") == "list" else "web:event-door"
    return redirect(back, slug=event.slug)


def _door_page(request, event: Event, *, form: DoorForm, result: dict | None,
               walk_in_form: RegistrationAddForm | None = None, status: int = 200):
    response = render(request, "web/door.html", {
        "event": event, "form": form, "result": result,
        "walk_in_form": walk_in_form or RegistrationAddForm(),
        "counts": selectors.attendance_of(event),
        "recent": selectors.recent_check_ins(event, limit=DOOR_RECENT),
    }, status=status)
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@_organizers_only
def door(request, event: Event):
    """The door of an event, made for a phone: type or scan an entry code, see a big answer."""
    form = DoorForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry = attendance.registration_check_in(actor=request.user, event=event,
                                                         code=form.cleaned_data["code"])
            except DomainError as refusal:
                request.session[DOOR_RESULT] = {"event": event.slug, "ok": False,
                                                "reason": refusal_text(refusal)}
            else:
                request.session[DOOR_RESULT] = _door_result(event, entry)
            return redirect("web:event-door", slug=event.slug)
        result = {"ok": False, "reason": " ".join(str(message) for message in form.errors["code"])}
        status = 400
    else:
        kept = request.session.pop(DOOR_RESULT, None)
        if kept and kept.get("event") == event.slug:
            result = kept
    return _door_page(request, event, form=DoorForm() if request.method == "POST" else form, result=result,
                      status=status)
