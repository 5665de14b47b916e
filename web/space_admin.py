"""The page a space's team runs the space from: opening hours, closures, desks and self
check-in, rooms, kiosks and their tokens.

Each section posts to its own address and every write goes through ``spaces.services`` or
``passes.services``; a refusal comes back on the field it names, the page answering 400 and
keeping what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backend.api import DomainError
from passes import services as pass_services
from passes.models import Kiosk
from spaces import services
from spaces.models import Room, Space
from web.coworking import _not_space_manager
from web.coworking_forms import ClosureForm, KioskForm, OpeningHoursForm, RoomForm, SpaceSettingsForm
from web.forms import refusal_text
from web.space_passes import _managed_space

# A kiosk's new token, kept in the session across the redirect, shown once and dropped.
NEW_KIOSK_KEY = "new_kiosk"
# Past closures shown beside those to come.
PAST_CLOSURES_SHOWN = 5


def _space_managers_only(view: Callable) -> Callable:
    """Runs ``view(request, space, …)`` for the space's managers; the 403 page for anyone else."""

    @wraps(view)
    def wrapper(request, slug: str, **kwargs):
        space = _managed_space(request, slug)
        if space is None:
            return _not_space_manager(request)
        return view(request, space, **kwargs)

    return login_required(wrapper)


def _refused(form: forms.Form, refusal: DomainError) -> None:
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal_text(refusal))


def _page(request, space: Space, *, status: int = 200, room_edit: tuple[int, RoomForm] | None = None,
          **bound: forms.Form):
    """The whole page; ``bound`` (or ``room_edit``, a room's id and form) replaces a section's
    empty form with the one that was refused."""
    space = Space.objects.prefetch_related("opening_hours", "closures").get(pk=space.pk)
    now = timezone.now()
    today = space.local_date(now)
    closures = list(space.closures.filter(ends_on__gte=today).order_by("starts_on"))
    past = list(space.closures.filter(ends_on__lt=today).order_by("-starts_on")[:PAST_CLOSURES_SHOWN])
    rooms = list(space.rooms.annotate(event_count=Count("events")).order_by("name"))
    room_forms = {room.id: RoomForm(prefix=f"room-{room.id}",
                                    initial={"name": room.name, "capacity": room.capacity})
                  for room in rooms}
    if room_edit is not None:
        room_forms[room_edit[0]] = room_edit[1]
    token = request.session.pop(NEW_KIOSK_KEY, None)
    if token and token.get("space") != space.slug:
        token = None
    context = {
        "space": space, "today": today, "closures": closures, "past_closures": past,
        # What the check-in rules read now: when the range the space is in ends, or None when closed.
        "open_until": opening[1].time() if (opening := space.opening_range_at(now)) else None,
        "rooms": [(room, room_forms[room.id]) for room in rooms],
        "kiosks": list(space.kiosks.order_by("revoked_at", "name")), "new_token": token,
        "settings_form": SpaceSettingsForm(initial={
            "desk_capacity": space.desk_capacity, "self_checkin_allowed": space.self_checkin_allowed}),
        "hours_form": OpeningHoursForm(space=space), "closure_form": ClosureForm(),
        # Prefixed: both have a "name", and a label points to its input by id.
        "room_form": RoomForm(prefix="room"), "kiosk_form": KioskForm(prefix="kiosk"),
        **bound,
    }
    response = render(request, "web/space_manage.html", context, status=status)
    # The page may carry a kiosk token: no cache keeps it.
    add_never_cache_headers(response)
    return response


def _back(space: Space, anchor: str):
    return redirect(f"{reverse('web:space-manage', args=[space.slug])}#{anchor}")


def _done(request, space: Space, text: str, anchor: str):
    messages.success(request, text)
    return _back(space, anchor)


@require_safe
@_space_managers_only
def manage(request, space: Space):
    return _page(request, space)


def _submit(request, space: Space, form: forms.Form, write: Callable[[dict], Any],
            done: Callable[[Any], str], anchor: str, **page: Any):
    """Every section's save: ``write(cleaned_data)`` through a service, then back to the page at
    ``anchor`` with ``done(result)`` as the message; invalid, or refused by the service on the
    field it names, the whole page again (400) with ``page`` (the section's form) kept."""
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except DomainError as refusal:
            _refused(form, refusal)
        else:
            return _done(request, space, done(result), anchor)
    return _page(request, space, status=400, **page)


@require_POST
@_space_managers_only
def settings_save(request, space: Space):
    form = SpaceSettingsForm(request.POST)
    return _submit(request, space, form, lambda data: services.space_settings_update(space=space, **data),
                   lambda _result: _("Réglages enregistrés."), "reglages", settings_form=form)


@require_POST
@_space_managers_only
def hours_save(request, space: Space):
    form = OpeningHoursForm(request.POST, space=space)
    return _submit(request, space, form,
                   lambda data: services.opening_hours_set(space=space, ranges=data["ranges"]),
                   lambda _result: _("Horaires enregistrés."), "horaires", hours_form=form)


@require_POST
@_space_managers_only
def closure_add(request, space: Space):
    form = ClosureForm(request.POST)
    return _submit(request, space, form, lambda data: services.closure_add(space=space, **data),
                   lambda _result: _("Fermeture enregistrée."), "fermetures", closure_form=form)


@require_POST
@_space_managers_only
def closure_remove(request, space: Space, closure_id: int):
    services.closure_remove(closure=get_object_or_404(space.closures, pk=closure_id))
    return _done(request, space, _("Fermeture retirée."), "fermetures")


def _room_saved(text: str) -> Callable[[Room], str]:
    return lambda room: text % {"name": room.name}


@require_POST
@_space_managers_only
def room_add(request, space: Space):
    form = RoomForm(request.POST, prefix="room")
    return _submit(request, space, form, lambda data: services.room_create(space=space, **data),
                   _room_saved(_("Salle « %(name)s » ajoutée.")), "salles", room_form=form)


@require_POST
@_space_managers_only
def room_edit(request, space: Space, room_id: int):
    room = get_object_or_404(space.rooms, pk=room_id)
    form = RoomForm(request.POST, prefix=f"room-{room.id}")
    return _submit(request, space, form, lambda data: services.room_update(room=room, **data),
                   _room_saved(_("Salle « %(name)s » enregistrée.")), "salles", room_edit=(room.id, form))


@require_POST
@_space_managers_only
def room_remove(request, space: Space, room_id: int):
    room = get_object_or_404(space.rooms, pk=room_id)
    try:
        services.room_remove(room=room)
    except DomainError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("Salle « %(name)s » retirée.") % {"name": room.name})
    return _back(space, "salles")


def _show_token_once(request, space: Space, kiosk: Kiosk, token: str) -> None:
    request.session[NEW_KIOSK_KEY] = {"space": space.slug, "kiosk": kiosk.name, "token": token}


@require_POST
@_space_managers_only
def kiosk_add(request, space: Space):
    form = KioskForm(request.POST, prefix="kiosk")

    def create(data: dict) -> Kiosk:
        kiosk, token = pass_services.kiosk_create(space=space, name=data["name"])
        _show_token_once(request, space, kiosk, token)
        return kiosk

    return _submit(request, space, form, create,
                   lambda kiosk: _("Borne « %(name)s » créée.") % {"name": kiosk.name}, "bornes",
                   kiosk_form=form)


@require_POST
@_space_managers_only
def kiosk_token(request, space: Space, kiosk_id: int):
    """A new token for the kiosk (the old one stops at once); also brings a revoked one back."""
    kiosk = get_object_or_404(space.kiosks, pk=kiosk_id)
    _show_token_once(request, space, kiosk, pass_services.kiosk_rotate_token(kiosk=kiosk))
    return _done(request, space, _("Nouveau jeton pour « %(name)s ».") % {"name": kiosk.name}, "bornes")


@require_POST
@_space_managers_only
def kiosk_revoke(request, space: Space, kiosk_id: int):
    kiosk = get_object_or_404(space.kiosks, pk=kiosk_id)
    pass_services.kiosk_revoke(kiosk=kiosk)
    return _done(request, space, _("Borne « %(name)s » révoquée : son jeton ne fonctionne plus.") % {
        "name": kiosk.name}, "bornes")
