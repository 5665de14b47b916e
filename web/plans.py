"""Pages of a pass network's plans, for its coordinators: the list, creating one, editing one.

``passes.services.plan_create`` and ``plan_update`` hold the rules (an allowance of at least
one, the terms frozen once a pass of the plan exists); these views show them and put a
refusal on the field it names. Anyone but the network's coordinators gets a 404, as on the
settlement pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.api import DomainError
from passes import selectors, services
from passes.models import PassNetwork
from web.coworking_forms import PlanForm
from web.forms import refusal_text
from web.settlement import Access


def _coordinated(request, slug: str) -> PassNetwork:
    network = get_object_or_404(PassNetwork, slug=slug)
    if not selectors.networks_coordinated_by(request.user).filter(pk=network.pk).exists():
        raise Http404
    return network


def _refused(form: PlanForm, refusal: DomainError) -> None:
    field = refusal.field if refusal.field in form.fields and not form.fields[refusal.field].disabled \
        else None
    form.add_error(field, refusal_text(refusal))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plans(request, network: str):
    """The network's plans and the form that creates one."""
    network_obj = _coordinated(request, network)
    form = PlanForm(request.POST or None, network=network_obj)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    network=network_obj, name=data["name"], slug=data["slug"] or slugify(data["name"])[:80],
                    kind=data["kind"], price=data["price"], period=data["period"],
                    allowance=data["allowance"], validity_days=data["validity_days"],
                    per_space_cap=data["per_space_cap"], eligible_spaces=list(data["eligible_spaces"]))
            except DomainError as refusal:
                _refused(form, refusal)
            else:
                messages.success(request, _("Forfait « %(name)s » créé.") % {"name": plan.name})
                return redirect("web:plans", network=network_obj.slug)
        status = 400
    return render(request, "web/plans.html", {
        "network": network_obj, "access": Access(network_obj, None), "form": form,
        "plans": selectors.plans_of(network_obj), "frozen": services.FROZEN_WHEN_IN_USE,
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request, network: str, plan_id: int):
    """Edit a plan; once a pass of it exists, its counting terms are shown frozen."""
    network_obj = _coordinated(request, network)
    plan = get_object_or_404(network_obj.plans, pk=plan_id)
    in_use = selectors.plan_in_use(plan)
    frozen = services.FROZEN_WHEN_IN_USE if in_use else ()
    form = PlanForm(request.POST or None, network=network_obj, plan=plan, frozen=frozen)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.plan_update(
                    plan=plan, name=data["name"], price=data["price"],
                    period=data.get("period", plan.period), allowance=data.get("allowance", plan.allowance),
                    validity_days=data.get("validity_days", plan.validity_days),
                    per_space_cap=data.get("per_space_cap", plan.per_space_cap),
                    eligible_spaces=list(data["eligible_spaces"]), is_active=data["is_active"])
            except DomainError as refusal:
                _refused(form, refusal)
            else:
                messages.success(request, _("Forfait « %(name)s » enregistré.") % {"name": data["name"]})
                return redirect("web:plans", network=network_obj.slug)
        status = 400
    return render(request, "web/plan_edit.html", {
        "network": network_obj, "access": Access(network_obj, None), "plan": plan, "form": form,
        "in_use": in_use, "pass_count": plan.passes.count() if in_use else 0,
    }, status=status)
