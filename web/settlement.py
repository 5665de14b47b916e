"""Pages of a pass network's monthly settlement: the months, one month's statement (who
hosted whose members, what each space owes and is due, the payments that settle it), closing
a month, the CSV download and a statement per space to print.

The amounts come from ``passes.selectors`` (``settlement_for``, ``net_transfers``) and closing
from ``passes.services.settlement_month_close``, which holds its rules (only once the month is
over, in order); these views choose what each person may see. The network's coordinators see
every line; a member space's managers see the lines where their space issues or hosts, and
the payments it makes or receives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backend.api import DomainError
from backend.months import month_parse
from backend.spreadsheet import csv_response
from passes import selectors, services
from passes.models import PassNetwork
from spaces.models import Space
from spaces.selectors import space_ids_managed_by
from web.forms import refusal_text


@dataclass
class Access:
    """What the person may read of ``network``: everything (``own`` is None) or the lines of
    the member spaces they manage (``own``)."""

    network: PassNetwork
    own: set[int] | None

    @property
    def is_coordinator(self) -> bool:
        return self.own is None

    def sees(self, *space_ids: int) -> bool:
        return self.own is None or any(space_id in self.own for space_id in space_ids)


def _access(request, slug: str) -> Access:
    """The network and what the person may read of it; 404 for anyone else, so that a
    stranger learns nothing about a network's money."""
    network = get_object_or_404(PassNetwork, slug=slug)
    if selectors.networks_coordinated_by(request.user).filter(pk=network.pk).exists():
        return Access(network, None)
    own = space_ids_managed_by(request.user) & set(network.spaces.values_list("id", flat=True))
    if not own:
        raise Http404
    return Access(network, own)


def _month(text: str) -> date:
    month = month_parse(text)
    if month is None:
        raise Http404
    return month


@dataclass
class SpaceTotals:
    space: Space
    owes: Decimal = Decimal("0.00")
    owes_days: int = 0
    due: Decimal = Decimal("0.00")
    due_days: int = 0

    @property
    def balance(self) -> Decimal:
        return self.due - self.owes


@dataclass
class MonthView:
    """One month's statement as the page shows it to one person."""

    statement: selectors.Statement
    spaces: list[Space]
    lines: list[selectors.Line]
    matrix: list[tuple[Space, list[selectors.Line | None]]]
    totals: list[SpaceTotals]
    transfers: list[tuple[Space, Space, Decimal]]
    # (issuing space, host space, line) of the lines carrying an adjustment
    adjustments: list[tuple[Space, Space, selectors.Line]] = field(default_factory=list)


def month_view(access: Access, month: date) -> MonthView:
    """The statement of ``month`` restricted to what ``access`` may read; the payments are
    computed on the whole network (a space's share depends on everyone's)."""
    network = access.network
    statement = selectors.settlement_for(network=network, month=month)
    by_id = {space.id: space for space in network.spaces.all()} | statement.spaces
    lines = [x for x in statement.lines if access.sees(x.issuing_space_id, x.host_space_id)]
    shown_ids = set(by_id) if access.own is None else (
        {x.issuing_space_id for x in lines} | {x.host_space_id for x in lines} | access.own)
    spaces = sorted((by_id[i] for i in shown_ids), key=lambda s: s.name)
    cells = {(x.issuing_space_id, x.host_space_id): x for x in lines}
    matrix = [(issuer, [cells.get((issuer.id, host.id)) for host in spaces]) for issuer in spaces]
    totals = {space.id: SpaceTotals(space) for space in spaces if access.sees(space.id)}
    for line in lines:
        if line.issuing_space_id in totals:
            totals[line.issuing_space_id].owes += line.total_amount
            totals[line.issuing_space_id].owes_days += line.visit_days + line.adjustment_days
        if line.host_space_id in totals:
            totals[line.host_space_id].due += line.total_amount
            totals[line.host_space_id].due_days += line.visit_days + line.adjustment_days
    transfers = [(by_id[t.debtor_id], by_id[t.creditor_id], t.amount)
                 for t in selectors.net_transfers(selectors.settlement_balances(statement.lines))
                 if access.sees(t.debtor_id, t.creditor_id)]
    return MonthView(
        statement=statement, spaces=spaces, lines=lines, matrix=matrix,
        totals=list(totals.values()), transfers=transfers,
        adjustments=[(by_id[x.issuing_space_id], by_id[x.host_space_id], x)
                     for x in lines if x.adjustment_days or x.adjustment_amount],
    )


@login_required
@require_safe
def networks(request):
    """The networks whose settlements the person reads; straight to the one when only one."""
    visible = list(selectors.networks_visible_to(request.user))
    if len(visible) == 1:
        return redirect("web:settlement-months", network=visible[0].slug)
    return render(request, "web/networks.html", {"networks": visible})


@login_required
@require_safe
def settlement_months(request, network: str):
    """The months of a network, newest first, closed or not."""
    access = _access(request, network)
    today = timezone.localdate()
    return render(request, "web/settlement_months.html", {
        "access": access, "network": access.network,
        "months": selectors.settlement_months(access.network, today=today),
    })


@login_required
@require_safe
def settlement_month(request, network: str, month: str):
    """One month: the matrix, each space's totals, the payments, the adjustments, and the
    closing button for coordinators."""
    access = _access(request, network)
    view = month_view(access, _month(month))
    response = render(request, "web/settlement_month.html", {
        "access": access, "network": access.network, "view": view, "month": view.statement.month,
    })
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def settlement_close(request, network: str, month: str):
    """Close the month (coordinators); the service's refusal shows on the page."""
    access = _access(request, network)
    if not access.is_coordinator:
        raise Http404
    first_day = _month(month)
    try:
        services.settlement_month_close(network=access.network, month=first_day, by=request.user)
    except DomainError as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("Le mois de %(month)s est clôturé : ses montants ne changeront "
                                    "plus, les corrections iront au mois suivant.") % {
            "month": date_format(first_day, "YEAR_MONTH_FORMAT")})
    return redirect("web:settlement-month", network=access.network.slug, month=month)


@login_required
@require_safe
def settlement_csv(request, network: str, month: str):
    """The lines the person may read, for a spreadsheet."""
    access = _access(request, network)
    view = month_view(access, _month(month))
    by_id = {space.id: space for space in view.spaces}
    statement = view.statement
    closed = statement.closed_at
    rows = [[statement.month, by_id[x.issuing_space_id].name, by_id[x.host_space_id].name,
             x.visit_days, x.amount, x.adjustment_days, x.adjustment_amount, x.total_amount, closed]
            for x in view.lines]
    header = [_("Mois"), _("Espace émetteur"), _("Espace d'accueil"), _("Passages"), _("Montant (€)"),
              _("Régularisation (passages)"), _("Régularisation (€)"), _("Total (€)"), _("Clôturé le")]
    return csv_response(f"reglement-{access.network.slug}-{statement.month:%Y-%m}.csv", header, rows)


@login_required
@require_safe
def settlement_statement(request, network: str, month: str, space: str):
    """One space's statement of the month, to print or save as PDF from the browser."""
    access = _access(request, network)
    space_obj = get_object_or_404(access.network.spaces, slug=space)
    if not access.sees(space_obj.id):
        raise Http404
    view = month_view(Access(access.network, {space_obj.id}), _month(month))
    names = {s.id: s.name for s in view.spaces}
    return render(request, "web/settlement_statement.html", {
        "network": access.network, "space": space_obj, "view": view, "month": view.statement.month,
        "totals": view.totals[0] if view.totals else None,
        # (the other space, the line): the spaces its members visited, the spaces whose members it hosted
        "issued": [(names[x.host_space_id], x) for x in view.lines if x.issuing_space_id == space_obj.id],
        "hosted": [(names[x.issuing_space_id], x) for x in view.lines if x.host_space_id == space_obj.id],
    })
