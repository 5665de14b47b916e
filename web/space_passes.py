"""Pages of a space's team for the passes it sells: the list with a search, selling one,
suspending, reactivating and revoking, and the QR code on a card to print or by email.

Every write goes through ``passes.services`` or ``accounts.services`` (selling to an address
without an account sends an invitation that hands the pass over); these views choose what to
show and turn a refusal into a sentence on its field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import pass_sell
from backend.api import DomainError
from passes import selectors, services
from passes.models import Pass, PassStatus
from spaces.models import Space
from spaces.selectors import can_manage_space
from web.coworking import _not_space_manager, _qr_svg
from web.forms import PassSearchForm, PassSellForm, refusal_text

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

PER_PAGE = 50
# What each status change is called on the page, and what it does.
STATUS_ACTIONS: dict[str, StrPromise] = {
    PassStatus.SUSPENDED: gettext_lazy("suspendu"),
    PassStatus.ACTIVE: gettext_lazy("réactivé"),
    PassStatus.REVOKED: gettext_lazy("révoqué"),
}


def _managed_space(request, slug: str) -> Space | None:
    space = get_object_or_404(Space, slug=slug)
    return space if can_manage_space(request.user, space) else None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def space_passes(request, slug: str):
    """The passes the space sold (searchable, 50 a page) and the form that sells one."""
    space = _managed_space(request, slug)
    if space is None:
        return _not_space_manager(request)
    sell_form = PassSellForm(request.POST or None, space=space)
    status = 200
    if request.method == "POST":
        if sell_form.is_valid():
            try:
                pass_obj, invitation = pass_sell(
                    seller=request.user, plan=sell_form.cleaned_data["plan"],
                    email=sell_form.cleaned_data["email"], issuing_space=space,
                    valid_from=sell_form.cleaned_data["valid_from"])
            except DomainError as refusal:
                field = refusal.field if refusal.field in sell_form.fields else None
                sell_form.add_error(field, refusal_text(refusal))
            else:
                if invitation is None:
                    messages.success(request, _("Pass %(code)s vendu à %(email)s.") % {
                        "code": pass_obj.short_code, "email": sell_form.cleaned_data["email"]})
                else:
                    messages.success(request, _(
                        "Pass %(code)s vendu : %(email)s n'a pas encore de compte vérifié, une "
                        "invitation lui est envoyée ; le pass lui revient quand elle l'accepte.") % {
                        "code": pass_obj.short_code, "email": invitation.email})
                return redirect("web:space-passes", slug=space.slug)
        status = 400
    search = PassSearchForm(request.GET or None)
    query, wanted = "", ""
    if search.is_valid():
        query, wanted = search.cleaned_data["q"], search.cleaned_data["status"]
    page = Paginator(selectors.passes_sold_at(space, query=query, status=wanted), PER_PAGE) \
        .get_page(request.GET.get("page"))
    remaining = selectors.remaining_allowances(list(page))
    today = space.local_date(timezone.now())
    rows = [(pass_obj, selectors.pass_state(pass_obj, today), remaining[pass_obj.id]) for pass_obj in page]
    response = render(request, "web/space_passes.html", {
        "space": space, "rows": rows, "page": page, "search": search, "sell_form": sell_form,
        "query_string": request.GET.urlencode() if request.GET else "",
        "NOT_YET_VALID": selectors.NOT_YET_VALID, "PassStatus": PassStatus,
    }, status=status)
    add_never_cache_headers(response)
    return response


def _sold_pass(request, slug: str, pass_id: int) -> tuple[Space, Pass] | None:
    space = _managed_space(request, slug)
    if space is None:
        return None
    return space, get_object_or_404(Pass.objects.select_related("holder", "plan__network"),
                                    pk=pass_id, issuing_space=space)


@login_required
@require_POST
def pass_status(request, slug: str, pass_id: int):
    """Suspend or reactivate at once; revoking asks first (:func:`pass_revoke`)."""
    found = _sold_pass(request, slug, pass_id)
    if found is None:
        return _not_space_manager(request)
    space, pass_obj = found
    wanted = request.POST.get("status")
    if wanted not in (PassStatus.SUSPENDED, PassStatus.ACTIVE):
        messages.error(request, _("Action inconnue."))
    else:
        _set_status(request, pass_obj, wanted)
    return redirect("web:space-passes", slug=space.slug)


def _set_status(request, pass_obj: Pass, wanted: str) -> None:
    try:
        services.pass_set_status(pass_obj=pass_obj, status=wanted)
    except DomainError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("Pass %(code)s %(done)s.") % {
            "code": pass_obj.short_code, "done": STATUS_ACTIONS[wanted]})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pass_revoke(request, slug: str, pass_id: int):
    """Revoking is final: the page says so and asks to confirm."""
    found = _sold_pass(request, slug, pass_id)
    if found is None:
        return _not_space_manager(request)
    space, pass_obj = found
    if request.method == "POST":
        _set_status(request, pass_obj, PassStatus.REVOKED)
        return redirect("web:space-passes", slug=space.slug)
    return render(request, "web/pass_revoke.html", {"space": space, "pass": pass_obj})


@login_required
@require_POST
def pass_send(request, slug: str, pass_id: int):
    """Email the pass's QR code to its holder."""
    found = _sold_pass(request, slug, pass_id)
    if found is None:
        return _not_space_manager(request)
    space, pass_obj = found
    try:
        email = services.pass_card_send(pass_obj=pass_obj)
    except DomainError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("QR code du pass %(code)s envoyé à %(email)s.") % {
            "code": pass_obj.short_code, "email": email})
    return redirect("web:space-passes", slug=space.slug)


@login_required
@require_http_methods(["GET", "HEAD"])
def pass_card(request, slug: str, pass_id: int):
    """A card to print (or save as PDF from the browser) with the pass's QR code."""
    found = _sold_pass(request, slug, pass_id)
    if found is None:
        return _not_space_manager(request)
    space, pass_obj = found
    response = render(request, "web/pass_card.html", {
        "space": space, "pass": pass_obj, "qr_svg": _qr_svg(pass_obj.code, pass_obj.short_code)})
    # The QR code is the pass itself: no shared cache keeps it.
    add_never_cache_headers(response)
    return response
