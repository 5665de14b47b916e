"""Pages of the coworking pass: the front desk of a space and its day, the member's own pass.

Check-ins and check-outs go through ``passes.services``, which holds every rule
(who may check in where, validity, allowance, capacity); these views only choose
what to show and turn a refusal into a sentence.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api import DomainError
from passes import selectors, services
from passes.models import Channel, CheckIn, Pass, PassStatus
from spaces.models import Space
from spaces.selectors import can_manage_space, space_ids_managed_by
from web.coworking_forms import DeskSearchForm
from web.forms import DeskCheckinForm, WalkInForm, refusal_text

# The outcome of the last check-in, kept in the session across the redirect after the POST.
DESK_RESULT = "desk_result"
# Visit-days shown on the member's page.
VISITS_SHOWN = 30


def _not_space_manager(request):
    return render(request, "web/not_space_manager.html", status=403)


@login_required
@require_safe
def desk_choice(request):
    """The desk of the one space the person manages, or the list when they manage several."""
    spaces = list(Space.objects.filter(id__in=space_ids_managed_by(request.user)).order_by("name"))
    if not spaces:
        return _not_space_manager(request)
    if len(spaces) == 1:
        return redirect("web:desk", slug=spaces[0].slug)
    return render(request, "web/desk_choice.html", {"spaces": spaces})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def desk(request, slug: str):
    """Check people in by their pass code (typed or scanned) or, for a member who forgot their
    phone, found by name (``?nom=``); see who is here."""
    space = get_object_or_404(Space, slug=slug)
    if not can_manage_space(request.user, space):
        return _not_space_manager(request)
    form = DeskCheckinForm(request.POST or None)
    result = None
    if request.method == "POST":
        if form.is_valid():
            request.session[DESK_RESULT] = _check_in(request, space, form.cleaned_data["code"])
            return redirect("web:desk", slug=space.slug)
        result = {"ok": False, "reason": " ".join(str(message) for message in form.errors["code"])}
    else:
        kept = request.session.pop(DESK_RESULT, None)
        if kept and kept.get("space") == space.slug:
            result = kept
    return _desk_page(request, space, form=form, result=result, walk_in_form=WalkInForm(space=space))


def _desk_page(request, space: Space, *, form: DeskCheckinForm, result: dict | None,
               walk_in_form: WalkInForm, status: int = 200):
    present = (selectors.checkins_visible_to(request.user)
               .filter(space=space, checked_out_at__isnull=True).order_by("checked_in_at", "id"))
    search = DeskSearchForm(request.GET if "nom" in request.GET else None)
    found = selectors.passes_at_desk(space, query=search.cleaned_data["nom"]) if search.is_valid() else None
    response = render(request, "web/desk.html", {
        "space": space, "form": form, "result": result, "present": present,
        "walk_in_form": walk_in_form, "search": search, "found": found,
        "NOT_YET_VALID": selectors.NOT_YET_VALID, "PassStatus": PassStatus,
    }, status=status)
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def desk_walk_in(request, slug: str):
    """Give a walk-in or trial day to someone without a pass and check them in."""
    space = get_object_or_404(Space, slug=slug)
    if not can_manage_space(request.user, space):
        return _not_space_manager(request)
    form = WalkInForm(request.POST, space=space)
    if form.is_valid():
        try:
            pass_obj, _checkin = services.walk_in(
                plan=form.cleaned_data["plan"], space=space, person=request.user,
                name=form.cleaned_data["name"], email=form.cleaned_data["email"])
        except DomainError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal_text(refusal))
        else:
            request.session[DESK_RESULT] = {
                "space": space.slug, "ok": True, "already": False,
                "first_name": pass_obj.guest_name.split(" ")[0], "full_name": pass_obj.guest_name,
                "short_code": pass_obj.short_code, "day": str(pass_obj.plan.get_kind_display()),
            }
            return redirect("web:desk", slug=space.slug)
    # What was typed stays, with the reason on its field.
    return _desk_page(request, space, form=DeskCheckinForm(), result=None, walk_in_form=form, status=400)


def _check_in(request, space: Space, code: str) -> dict:
    """What the desk shows after a check-in attempt (plain values: it goes in the session)."""
    try:
        checkin, created = services.checkin_attempt(
            code=code, space=space.slug, actor=services.Actor(person=request.user))
    except services.CheckinRefused as refusal:
        return {"space": space.slug, "ok": False, "reason": refusal_text(refusal)}
    holder = checkin.pass_obj.holder
    return {
        "space": space.slug, "ok": True, "already": not created,
        "first_name": holder.get_short_name() if holder else "",
        "full_name": holder.get_full_name() if holder else "",
        "short_code": checkin.pass_obj.short_code,
        "remaining": checkin.remaining_allowance,
    }


@login_required
@require_POST
def desk_checkout(request, slug: str, checkin_id: int):
    space = get_object_or_404(Space, slug=slug)
    if not can_manage_space(request.user, space):
        return _not_space_manager(request)
    checkin = get_object_or_404(selectors.checkins_visible_to(request.user).filter(space=space),
                                pk=checkin_id)
    holder = checkin.pass_obj.holder
    try:
        services.checkin_checkout(checkin=checkin)
    except DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Départ de %(name)s enregistré.") % {
            "name": holder.get_full_name() if holder else checkin.pass_obj.short_code})
    return redirect("web:desk", slug=space.slug)


@login_required
@require_safe
def desk_day(request, slug: str):
    """Today at the space: arrivals and departures with their channel, and the refusals with
    their reason."""
    space = get_object_or_404(Space, slug=slug)
    if not can_manage_space(request.user, space):
        return _not_space_manager(request)
    day = selectors.desk_day(space, day=space.local_date(timezone.now()))
    # Arrived on an earlier day and still there at midnight: the arrival shows its date.
    earlier = {c.id for c in day.checkins if space.local_date(c.checked_in_at) != day.day}
    refusals = [(attempt, services.refusal_summary(attempt.outcome), _refusal_channel(attempt))
                for attempt in day.refusals]
    response = render(request, "web/desk_day.html", {"space": space, "day": day, "refusals": refusals,
                                                      "earlier": earlier})
    add_never_cache_headers(response)
    return response


def _refusal_channel(attempt) -> str:
    """Where a refused attempt came from, as a check-in's channel says it."""
    if attempt.kiosk_id is not None:
        return str(Channel.KIOSK.label)
    holder_id = attempt.pass_obj.holder_id if attempt.pass_obj else None
    if attempt.person_id is not None and attempt.person_id == holder_id:
        return str(Channel.SELF.label)
    return str(Channel.DESK.label)


@login_required
@require_POST
def self_checkin(request, pass_id: int):
    """The holder checks themselves in with their own pass where the space allows it (the
    check-in rules decide, as for a scan)."""
    pass_obj = get_object_or_404(Pass, pk=pass_id, holder=request.user)
    try:
        checkin, _created = services.checkin_attempt(
            code=pass_obj.code, space=request.POST.get("space", ""),
            actor=services.Actor(person=request.user))
    except DomainError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("Arrivée enregistrée à %(space)s. Bonne journée !") % {
            "space": checkin.space.name})
    return redirect("web:my-pass")


@login_required
@require_POST
def self_checkout(request, checkin_id: int):
    """The holder records their own departure."""
    checkin = get_object_or_404(CheckIn, pk=checkin_id, pass_obj__holder=request.user)
    try:
        services.checkin_checkout(checkin=checkin)
    except DomainError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Départ enregistré. À bientôt !"))
    return redirect("web:my-pass")


def _qr_svg(code: str, short_code: str) -> str:
    # segno writes only fixed markup and the title, which is a short code (no markup). Never a
    # Micro QR code (what segno picks for a short text): phone cameras and jsQR do not read them.
    svg = segno.make(code, error="m", micro=False).svg_inline(
        scale=5, border=3, light="#fff", title=short_code, omitsize=True, svgclass="qr")
    return mark_safe(svg)  # noqa: S308 - generated by segno from our own code


@login_required
@require_safe
def my_pass(request):
    """The member's passes (QR code, short code, what is left) and their recent visit-days."""
    passes = selectors.passes_held_by(request.user)
    now = timezone.now()
    for pass_obj in passes:
        usable = pass_obj.state in (PassStatus.ACTIVE, selectors.NOT_YET_VALID)
        pass_obj.qr_svg = _qr_svg(pass_obj.code, pass_obj.short_code) if usable else None
        pass_obj.outlook = (selectors.pass_outlook(pass_obj, day=pass_obj.issuing_space.local_date(now))
                            if usable else None)
    for pass_obj in passes:
        # Where the holder may check themselves in: the covered spaces that allow it.
        pass_obj.self_checkin_spaces = [space for space, _cap in pass_obj.outlook.spaces
                                        if space.self_checkin_allowed] if pass_obj.outlook else []
    here = (CheckIn.objects.filter(pass_obj__holder=request.user, checked_out_at__isnull=True)
            .select_related("space").first())
    response = render(request, "web/my_pass.html", {
        "passes": passes, "here": here,
        "visits": selectors.visits_held_by(request.user)[:VISITS_SHOWN],
        "NOT_YET_VALID": selectors.NOT_YET_VALID,
    })
    # The QR code is the pass itself: no shared cache keeps it.
    add_never_cache_headers(response)
    return response
