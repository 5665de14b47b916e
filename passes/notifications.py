"""The emails of the coworking pass, recorded in the outbox inside the caller's transaction.

Each key is deterministic, so a notice is recorded once whatever retries or
rescans happen: per pass and visit day, per pass and end date, per space and month.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from passes.models import Pass, SettlementMonth
from spaces.models import Space
from worker.outbox import message_record


def allowance_low(*, pass_obj: Pass, remaining: int, day: date) -> None:
    holder = pass_obj.holder
    if holder is None:  # erased: nobody to tell
        return
    with translation.override(holder.language):
        message_record(
            key=f"pass-allowance-low:{pass_obj.id}:{day:%Y-%m-%d}",
            kind="pass_allowance_low", to=holder.email, language=holder.language,
            subject=_("Votre pass %(plan)s : plus que %(n)d passage(s) sur la période")
            % {"plan": pass_obj.plan.name, "n": remaining},
            body_text=_(
                "Bonjour,\n\nIl vous reste %(n)d journée(s) de coworking sur la période en cours "
                "avec votre pass %(plan)s (code %(code)s).\n\n"
                "À bientôt dans les espaces du réseau %(network)s."
            ) % {"n": remaining, "plan": pass_obj.plan.name, "code": pass_obj.short_code,
                 "network": pass_obj.plan.network.name},
        )


def pass_expiring(*, pass_obj: Pass) -> None:
    holder = pass_obj.holder
    if holder is None:  # erased: nobody to tell
        return
    with translation.override(holder.language):
        message_record(
            key=f"pass-expiring:{pass_obj.id}:{pass_obj.valid_until:%Y-%m-%d}",
            kind="pass_expiring", to=holder.email, language=holder.language,
            subject=_("Votre pass %(plan)s expire le %(date)s")
            % {"plan": pass_obj.plan.name, "date": date_format(pass_obj.valid_until)},
            body_text=_(
                "Bonjour,\n\nVotre pass %(plan)s (code %(code)s) est valable jusqu'au %(date)s. "
                "Pour le renouveler, adressez-vous à %(space)s."
            ) % {"plan": pass_obj.plan.name, "code": pass_obj.short_code,
                 "date": date_format(pass_obj.valid_until), "space": pass_obj.issuing_space.name},
        )


def settlement_ready(*, settlement_month: SettlementMonth, space: Space, lines: list[str]) -> None:
    """Tell a member space that the month is closed, with the lines that concern it."""
    to = space.contact_email or space.operator.contact_email
    if not to:
        return
    network = settlement_month.network
    month = f"{settlement_month.month:%Y-%m}"
    with translation.override(settings.LANGUAGE_CODE):
        message_record(
            key=f"settlement-ready:{settlement_month.id}:{space.id}",
            kind="settlement_ready", to=to,
            subject=_("%(network)s : décompte de %(month)s clôturé") % {"network": network.name,
                                                                        "month": month},
            body_text=_(
                "Bonjour,\n\nLe décompte %(month)s du réseau %(network)s est clôturé. "
                "Lignes qui concernent %(space)s :\n\n%(lines)s\n\n"
                "Le détail (JSON ou CSV) : %(url)s"
            ) % {"month": month, "network": network.name, "space": space.name,
                 "lines": "\n".join(lines) or "—",
                 "url": f"{settings.SITE_URL}/api/v1/settlements/?network={network.slug}&month={month}"},
        )
