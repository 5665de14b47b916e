"""The emails of the coworking pass, recorded in the outbox inside the caller's transaction.

Each key is deterministic, so a notice is recorded once whatever retries or
rescans happen: per pass and visit day, per pass and end date, per space and month.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import segno
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


def pass_card(*, pass_obj: Pass, sent_at: datetime) -> None:
    """The pass's QR code (an SVG attachment) and short code, sent to its holder at the desk's
    request; once per pass and minute, so that a double click sends one."""
    holder = pass_obj.holder
    assert holder is not None, "a pass without a holder has nobody to send it to"
    qr = io.BytesIO()
    segno.make(pass_obj.code, error="m").save(qr, kind="svg", scale=8, border=4, title=pass_obj.short_code)
    with translation.override(holder.language):
        message_record(
            key=f"pass-card:{pass_obj.id}:{sent_at:%Y%m%d%H%M}",
            kind="pass_card", to=holder.email, language=holder.language,
            subject=_("Votre pass %(plan)s : son QR code") % {"plan": pass_obj.plan.name},
            body_text=_(
                "Bonjour,\n\nVoici le QR code de votre pass %(plan)s, en pièce jointe : présentez-le "
                "à l'accueil ou à la borne des espaces du réseau %(network)s. Sans lui, donnez le "
                "code %(code)s.\n\nIl est valable du %(first)s au %(last)s. Il est aussi sur votre "
                "page : %(url)s"
            ) % {"plan": pass_obj.plan.name, "network": pass_obj.plan.network.name,
                 "code": pass_obj.short_code, "first": date_format(pass_obj.valid_from),
                 "last": date_format(pass_obj.valid_until), "url": f"{settings.SITE_URL}/mon-pass/"},
            attachments=[{"filename": f"pass-{pass_obj.short_code}.svg",
                          "content": qr.getvalue().decode(), "mimetype": "image/svg+xml"}],
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
