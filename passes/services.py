"""Writes of the coworking pass: plans, passes, kiosks, check-ins, settlement.

The check-in rules are written once, here (:func:`_checkin`), and run on every engine.
The API and the desk page call :func:`checkin_attempt`, the beat task
:func:`checkins_close_for_closing_time`, the admin :func:`visit_remove`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from backend.api import DomainError
from network.models import Person
from passes import notifications, selectors
from passes.models import (
    Channel,
    CheckIn,
    CheckinAttempt,
    Kiosk,
    Pass,
    PassNetwork,
    PassStatus,
    Period,
    Plan,
    PlanKind,
    SettlementLine,
    SettlementMonth,
    TrialDay,
    Visit,
    hash_token,
)
from spaces.models import Space
from spaces.selectors import can_manage_space

# --- Errors -------------------------------------------------------------------


class UnknownSpace(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "unknown_space"
    message = _("Aucun espace ne porte cet identifiant.")


class CheckinRefused(DomainError):
    """A check-in refused by a rule; ``pass_id`` is kept for the attempt log.

    ``summary`` is what a list of past refusals says (:func:`refusal_summary`): the message
    without the specifics of the moment (a date, another space), when it has any.
    """

    pass_id: int | None = None
    summary: Any = None


class UnknownPass(CheckinRefused):
    code = "unknown_pass"
    message = _("Ce code ne correspond à aucun pass.")


class PassRevoked(CheckinRefused):
    code = "pass_revoked"
    message = _("Ce pass a été révoqué.")


class PassSuspended(CheckinRefused):
    code = "pass_suspended"
    message = _("Ce pass est suspendu.")


class PassNotYetValid(CheckinRefused):
    code = "pass_not_yet_valid"
    message = _("Ce pass n'est valable qu'à partir du %(date)s.")
    summary = _("Ce pass n'était pas encore valable.")


class PassExpired(CheckinRefused):
    code = "pass_expired"
    message = _("Ce pass a expiré le %(date)s.")
    summary = _("Ce pass avait expiré.")


class SpaceNotInPlan(CheckinRefused):
    code = "space_not_in_plan"
    message = _("Le forfait de ce pass ne donne pas accès à cet espace.")


class SpaceClosed(CheckinRefused):
    code = "space_closed"
    message = _("L'espace est fermé en ce moment.")


class SpaceFull(CheckinRefused):
    code = "space_full"
    message = _("Tous les postes de travail de l'espace sont occupés.")


class AlreadyCheckedIn(CheckinRefused):
    code = "already_checked_in"
    message = _("Ce pass est déjà pointé dans un autre espace : %(space)s.")
    summary = _("Ce pass était déjà pointé dans un autre espace.")


class AllowanceExhausted(CheckinRefused):
    code = "allowance_exhausted"
    message = _("Le quota de passages de la période est épuisé.")


class SpaceCapReached(CheckinRefused):
    code = "space_cap_reached"
    message = _("Le plafond de passages dans cet espace est atteint pour la période.")


class CheckinForbidden(CheckinRefused):
    status = status.HTTP_403_FORBIDDEN
    code = "checkin_forbidden"
    message = _("Seule l'équipe de l'espace peut pointer ici.")


class NotYourPass(CheckinRefused):
    status = status.HTTP_403_FORBIDDEN
    code = "not_your_pass"
    # Also what someone of another space's team reads here, where members check themselves
    # in: hence the second half.
    message = _("Vous ne pouvez pointer qu'avec votre propre pass ; seule l'équipe de cet espace "
                "peut pointer celui de quelqu'un d'autre.")


class KioskWrongSpace(CheckinRefused):
    status = status.HTTP_403_FORBIDDEN
    code = "kiosk_wrong_space"
    message = _("Cette borne appartient à un autre espace.")


def _refusals(cls: type[CheckinRefused]) -> dict[str, type[CheckinRefused]]:
    found = {}
    for sub in cls.__subclasses__():
        found[sub.code] = sub
        found.update(_refusals(sub))
    return found


def refusal_summary(code: str) -> str:
    """What a refusal recorded as ``code`` (:attr:`CheckinAttempt.outcome`) was, in a sentence."""
    refusal = _refusals(CheckinRefused).get(code)
    if refusal is None:
        return code
    return str(refusal.summary or refusal.message)


class TrialNotAvailable(DomainError):
    code = "trial_not_available"
    message = _("Cette adresse a déjà eu sa journée d'essai ou un pass dans ce réseau.")


class AlreadyCheckedOut(DomainError):
    code = "already_checked_out"
    message = _("Ce départ est déjà enregistré.")


class InvalidPlan(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid_plan"


class InvalidPass(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid_pass"


class MonthNotOver(DomainError):
    code = "month_not_over"
    message = _("Un mois ne se clôture qu'une fois terminé.")


class MonthClosed(DomainError):
    code = "month_closed"
    message = _("Ce mois est déjà clôturé ; les corrections vont au mois suivant.")


class LaterMonthClosed(DomainError):
    code = "later_month_closed"
    message = _("Un mois plus récent est déjà clôturé : les mois se clôturent dans l'ordre.")


# --- Plans, passes, kiosks ----------------------------------------------------


class PlanInUse(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "plan_in_use"
    message = _("Des pass de ce forfait existent : ce terme ne change plus.")


@dataclass(frozen=True)
class PlanTerms:
    """What a plan gives: checked by :func:`plan_create` and :func:`plan_update` alike."""

    price: Decimal
    period: str
    allowance: int | None
    validity_days: int
    per_space_cap: int | None = None


def _checked_terms(*, network: PassNetwork, kind: str, terms: PlanTerms) -> PlanTerms:
    """``terms`` as the plan will hold them; refuses a missing, zero or negative allowance on a
    limited period, a negative price, a zero validity or cap. A walk-in or trial day is one
    visit-day valid one day, whatever was given; a trial day is free."""
    price, period, allowance = terms.price, terms.period, terms.allowance
    validity_days, per_space_cap = terms.validity_days, terms.per_space_cap
    if kind in (PlanKind.DAY, PlanKind.TRIAL):
        period, allowance, validity_days, per_space_cap = Period.MONTH, 1, 1, None
        if kind == PlanKind.TRIAL and price != 0:
            raise InvalidPlan(_("Une journée d'essai est gratuite."), field="price")
    if period == Period.UNLIMITED:
        if allowance is not None:
            raise InvalidPlan(_("Un forfait illimité n'a pas de quota de passages."), field="allowance")
        if network.visit_value is None:
            raise InvalidPlan(_("Un forfait illimité demande une valeur de passage fixée par le réseau."),
                              field="period")
    elif allowance is None or allowance < 1:
        raise InvalidPlan(_("Le quota de passages doit être d'au moins 1 par période."), field="allowance")
    if per_space_cap is not None and per_space_cap < 1:
        raise InvalidPlan(_("Le plafond par espace doit être d'au moins 1."), field="per_space_cap")
    if validity_days < 1:
        raise InvalidPlan(_("La durée de validité doit être d'au moins 1 jour."), field="validity_days")
    if price < 0:
        raise InvalidPlan(_("Le prix ne peut pas être négatif."), field="price")
    return PlanTerms(price=price, period=period, allowance=allowance, validity_days=validity_days,
                     per_space_cap=per_space_cap)


def _check_eligible(network: PassNetwork, eligible: list[Space]) -> None:
    member_ids = set(network.spaces.values_list("id", flat=True))
    if any(space.id not in member_ids for space in eligible):
        raise InvalidPlan(_("Les espaces accessibles doivent appartenir au réseau."),
                          field="eligible_spaces")


@transaction.atomic
def plan_create(
    *, network: PassNetwork, name: str, slug: str, price: Decimal, period: str,
    allowance: int | None, validity_days: int, per_space_cap: int | None = None,
    eligible_spaces: list[Space] | None = None, kind: str = PlanKind.SUBSCRIPTION,
) -> Plan:
    """Create a plan; refuses a missing, zero or negative allowance on a limited period.

    A walk-in or trial day (``kind``) is one visit-day valid one day: its period, allowance
    and validity are set here, whatever was given; a trial day is free.
    """
    terms = _checked_terms(network=network, kind=kind, terms=PlanTerms(
        price=price, period=period, allowance=allowance, validity_days=validity_days,
        per_space_cap=per_space_cap))
    eligible = list(eligible_spaces or [])
    _check_eligible(network, eligible)
    if not slug:
        raise InvalidPlan(_("Un forfait a un identifiant : des lettres, des chiffres ou des tirets."),
                          field="slug")
    if Plan.objects.filter(network=network, slug=slug).exists():
        raise InvalidPlan(_("Ce réseau a déjà un forfait avec cet identifiant."), field="slug")
    plan = Plan.objects.create(
        network=network, kind=kind, name=name, slug=slug, price=terms.price, period=terms.period,
        allowance=terms.allowance, validity_days=terms.validity_days, per_space_cap=terms.per_space_cap,
    )
    plan.eligible_spaces.set(eligible)
    return plan


# Once a pass of a plan exists, these terms say how its visit-days were and are counted
# (the period, its allowance, the per-space cap): changing them would rewrite what past
# visits used and what the holder bought. A pass's own dates and its visits' values are
# stored on them, so the price and the validity stay free for the passes sold next.
FROZEN_WHEN_IN_USE = ("period", "allowance", "per_space_cap")


@transaction.atomic
def plan_update(*, plan: Plan, name: str, price: Decimal, period: str, allowance: int | None,
                validity_days: int, per_space_cap: int | None, eligible_spaces: list[Space],
                is_active: bool) -> Plan:
    """Change a plan. Its network, kind and identifier never change.

    Once a pass of the plan exists, the terms of :data:`FROZEN_WHEN_IN_USE` stay as they
    are and no space is taken out of its reach (adding one is allowed): a new offer is a new
    plan. A new price or validity applies to the passes sold from now on, and a new price
    to the value of visits from now on when the network does not fix it; past visits keep
    theirs.
    """
    plan = Plan.objects.select_for_update().select_related("network").get(pk=plan.pk)
    network = plan.network
    terms = _checked_terms(network=network, kind=plan.kind, terms=PlanTerms(
        price=price, period=period, allowance=allowance, validity_days=validity_days,
        per_space_cap=per_space_cap))
    eligible = list(eligible_spaces)
    _check_eligible(network, eligible)
    if not name.strip():
        raise InvalidPlan(_("Un forfait a un nom."), field="name")
    if selectors.plan_in_use(plan):
        for field_name in FROZEN_WHEN_IN_USE:
            if getattr(terms, field_name) != getattr(plan, field_name):
                raise PlanInUse(_("Des pass de ce forfait existent : ce terme ne change plus "
                                  "(créez un nouveau forfait)."), field=field_name)
        before = set(selectors.plan_spaces(plan).values_list("id", flat=True))
        after = {space.id for space in eligible} or set(network.spaces.values_list("id", flat=True))
        if before - after:
            raise PlanInUse(_("Des pass de ce forfait existent : un espace ne peut plus en être "
                              "retiré, seulement ajouté."), field="eligible_spaces")
    changes = {"name": name.strip(), "is_active": is_active, "price": terms.price,
               "period": terms.period, "allowance": terms.allowance,
               "validity_days": terms.validity_days, "per_space_cap": terms.per_space_cap}
    for field_name, value in changes.items():
        setattr(plan, field_name, value)
    plan.save(update_fields=list(changes))
    plan.eligible_spaces.set(eligible)
    return plan


@transaction.atomic
def pass_issue(*, plan: Plan, holder: Person | None, issuing_space: Space, valid_from: date) -> Pass:
    """Sell ``plan`` to ``holder`` at ``issuing_space``, valid ``plan.validity_days`` days
    from ``valid_from``."""
    if not plan.is_active:
        raise InvalidPass(_("Ce forfait n'est plus en vente."), field="plan")
    if not plan.network.spaces.filter(id=issuing_space.id).exists():
        raise InvalidPass(_("L'espace émetteur doit appartenir au réseau du forfait."),
                          field="issuing_space")
    return Pass.objects.create(
        plan=plan, holder=holder, issuing_space=issuing_space, valid_from=valid_from,
        valid_until=valid_from + timedelta(days=plan.validity_days - 1),
    )


@transaction.atomic
def day_pass_give(*, plan: Plan, space: Space, name: str = "", email: str = "",
                  now: datetime | None = None) -> Pass:
    """A walk-in or trial day (``plan.kind``) for someone without a pass, valid today at
    ``space``'s date: a walk-in only at ``space``, a trial day anywhere in the network.

    A trial day needs an email address and is offered once per address and network, to
    someone who never held a pass of it; two desks giving one to the same address at once
    give one (the unique trial row decides).
    """
    if plan.kind not in (PlanKind.DAY, PlanKind.TRIAL):
        raise InvalidPass(_("Ce forfait n'est pas une journée sur place ou d'essai."), field="plan")
    email = email.strip().lower()
    network = plan.network
    if plan.kind == PlanKind.TRIAL:
        if not email:
            raise InvalidPass(_("Une journée d'essai demande une adresse e-mail."), field="email")
        if (TrialDay.objects.filter(network=network, email=email).exists()
                or Pass.objects.filter(plan__network=network, holder__email__iexact=email).exists()):
            raise TrialNotAvailable(field="email")
    today = space.local_date(now or timezone.now())
    pass_obj = pass_issue(plan=plan, holder=None, issuing_space=space, valid_from=today)
    pass_obj.guest_name, pass_obj.guest_email = name.strip(), email
    pass_obj.save(update_fields=["guest_name", "guest_email"])
    if plan.kind == PlanKind.TRIAL:
        try:
            with transaction.atomic():
                TrialDay.objects.create(network=network, email=email, pass_obj=pass_obj)
        except IntegrityError:
            raise TrialNotAvailable(field="email") from None
    return pass_obj


def walk_in(*, plan: Plan, space: Space, person: Person, name: str = "", email: str = "",
            now: datetime | None = None) -> tuple[Pass, CheckIn]:
    """Give a walk-in or trial day at the desk and check its guest in, all or nothing: a
    refused check-in (space full or closed) sells nothing, and its refusal is not logged."""
    now = now or timezone.now()
    with transaction.atomic():
        pass_obj = day_pass_give(plan=plan, space=space, name=name, email=email, now=now)
        checkin, _created = checkin_attempt(code=pass_obj.code, space=space.slug,
                                            actor=Actor(person=person), now=now)
    return pass_obj, checkin


@transaction.atomic
def pass_set_status(*, pass_obj: Pass, status: str) -> Pass:
    """Suspend, reactivate, expire or revoke a pass; a revoked pass stays revoked."""
    if pass_obj.status == PassStatus.REVOKED and status != PassStatus.REVOKED:
        raise InvalidPass(_("Un pass révoqué ne peut pas être réactivé."), field="status")
    pass_obj.status = status
    pass_obj.save(update_fields=["status"])
    return pass_obj


@transaction.atomic
def pass_card_send(*, pass_obj: Pass, now: datetime | None = None) -> str:
    """Email the pass's QR code to its holder; the address it goes to. A pass waiting for its
    buyer's invitation, or whose holder erased their account, has nobody to send it to; a
    revoked pass is not sent."""
    if pass_obj.holder is None:
        raise InvalidPass(_("Ce pass n'a pas encore de titulaire : l'invitation lui donnera son pass."),
                          field="holder")
    if pass_obj.status == PassStatus.REVOKED:
        raise InvalidPass(_("Un pass révoqué ne s'envoie plus."), field="status")
    notifications.pass_card(pass_obj=pass_obj, sent_at=now or timezone.now())
    return pass_obj.holder.email


def new_kiosk_token() -> str:
    return secrets.token_urlsafe(32)


class InvalidKiosk(DomainError):
    status = status.HTTP_400_BAD_REQUEST
    code = "invalid_kiosk"


@transaction.atomic
def kiosk_create(*, space: Space, name: str) -> tuple[Kiosk, str]:
    """A kiosk for ``space`` and its token, shown once: only its hash is stored."""
    name = name.strip()
    if not name:
        raise InvalidKiosk(_("Une borne a un nom."), field="name")
    if Kiosk.objects.filter(space=space, name=name).exists():
        raise InvalidKiosk(_("Cet espace a déjà une borne de ce nom."), field="name")
    token = new_kiosk_token()
    return Kiosk.objects.create(space=space, name=name, token_hash=hash_token(token)), token


@transaction.atomic
def kiosk_rotate_token(*, kiosk: Kiosk) -> str:
    """A new token for ``kiosk``; the previous one stops working at once."""
    token = new_kiosk_token()
    kiosk.token_hash = hash_token(token)
    kiosk.revoked_at = None
    kiosk.save(update_fields=["token_hash", "revoked_at"])
    return token


def kiosk_revoke(*, kiosk: Kiosk, now: datetime | None = None) -> Kiosk:
    """Stop ``kiosk``'s token at once (a new token, :func:`kiosk_rotate_token`, revives it)."""
    Kiosk.objects.filter(pk=kiosk.pk, revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    kiosk.refresh_from_db(fields=["revoked_at"])
    return kiosk


# --- Check-in and check-out ---------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who is checking in: a signed-in person (staff or the member) or a kiosk."""

    person: Person | None = None
    kiosk: Kiosk | None = None


def checkin_attempt(*, code: str, space: str, actor: Actor, now: datetime | None = None
                    ) -> tuple[CheckIn, bool]:
    """Check the pass with ``code`` in at the space whose slug is ``space``;
    ``(check_in, created)``.

    When the pass is already checked in at this same space (two desks scanning
    at once, a second scan the same day) the open check-in comes back with
    ``created`` False: same visit-day, no second use of the allowance.

    A refusal at a known space is logged (:class:`CheckinAttempt`), after everything
    the attempt wrote was rolled back; a success is its check-in.
    """
    now = now or timezone.now()
    person = actor.person if actor.person is not None and actor.person.is_authenticated else None
    space_obj = Space.objects.prefetch_related("opening_hours", "closures").filter(slug=space).first()
    if space_obj is None:
        raise UnknownSpace(field="space")
    try:
        with transaction.atomic():
            return _checkin(code=code, space=space_obj, actor=actor, person=person, now=now)
    except CheckinRefused as refusal:
        CheckinAttempt.objects.create(
            at=now, outcome=refusal.code, space=space_obj, person=person, kiosk=actor.kiosk,
            pass_obj_id=refusal.pass_id, code_prefix=code[:4] if refusal.pass_id is None else "",
        )
        raise


def _refuse(error: CheckinRefused, pass_obj: Pass | None) -> CheckinRefused:
    error.pass_id = pass_obj.id if pass_obj else None
    return error


def _checkin(*, code: str, space: Space, actor: Actor, person: Person | None, now: datetime
             ) -> tuple[CheckIn, bool]:
    """The rules, in the caller's transaction (its locks last until the caller commits)."""
    if actor.kiosk is not None:
        channel = Channel.KIOSK
        if actor.kiosk.space_id != space.id:
            raise _refuse(KioskWrongSpace(field="space"), None)
    elif can_manage_space(person, space):
        channel = Channel.DESK
    elif person is not None and space.self_checkin_allowed:
        channel = Channel.SELF
    else:
        raise _refuse(CheckinForbidden(field="space"), None)

    # The pass row is the lock every check-in of this pass queues on; what is
    # counted below is read after it is held, so it cannot be stale. NO KEY
    # UPDATE, since no key changes: inserts elsewhere that reference the pass or
    # the space (their foreign-key checks take KEY SHARE) then never wait on it,
    # which would deadlock with a writer waiting for the space lock.
    pass_obj = (
        selectors.passes_by_code(code).select_for_update(of=("self",), no_key=True)
        .select_related("plan__network", "holder", "issuing_space").order_by().first()
    )
    if pass_obj is None:
        raise _refuse(UnknownPass(field="pass_code"), None)
    if channel == Channel.SELF:
        assert person is not None, "only a signed-in person checks in by themselves"
        if pass_obj.holder_id != person.id:
            raise _refuse(NotYourPass(field="pass_code"), pass_obj)
    if pass_obj.status == PassStatus.REVOKED:
        raise _refuse(PassRevoked(), pass_obj)
    if pass_obj.status == PassStatus.SUSPENDED:
        raise _refuse(PassSuspended(), pass_obj)
    day = space.local_date(now)
    if day < pass_obj.valid_from:
        raise _refuse(PassNotYetValid(date=date_format(pass_obj.valid_from)), pass_obj)
    if pass_obj.status == PassStatus.EXPIRED or day > pass_obj.valid_until:
        raise _refuse(PassExpired(date=date_format(pass_obj.valid_until)), pass_obj)
    plan = pass_obj.plan
    if not selectors.pass_covers(pass_obj, space):
        raise _refuse(SpaceNotInPlan(field="space"), pass_obj)
    if not space.is_open_at(now):
        raise _refuse(SpaceClosed(), pass_obj)

    bounds = selectors.period_bounds(plan, day)
    visits = selectors.pass_visits(pass_obj, space=space, day=day, bounds=bounds)
    open_checkin = (CheckIn.objects.filter(pass_obj=pass_obj, checked_out_at__isnull=True)
                    .select_related("space", "visit").first())
    if open_checkin is not None and open_checkin.space_id == space.id:
        open_checkin.pass_obj, open_checkin.space = pass_obj, space
        _set_remaining(open_checkin, visits.used, day=day, now=now)
        return open_checkin, False
    if visits.today_id is None and bounds is not None:
        if visits.used >= selectors.period_allowance(plan):
            raise _refuse(AllowanceExhausted(), pass_obj)
        if (plan.per_space_cap is not None and space.id != pass_obj.issuing_space_id
                and visits.used_here >= plan.per_space_cap):
            raise _refuse(SpaceCapReached(field="space"), pass_obj)
    if open_checkin is not None:
        raise _refuse(AlreadyCheckedIn(space=open_checkin.space.name), pass_obj)
    used = visits.used
    # The visit-day is the pass's business, covered by the pass's lock: written before the
    # space's lock, so that arrivals at a busy space do not queue for it (a full space rolls
    # it back with the rest).
    if visits.today_id is None:
        visit = Visit.objects.create(pass_obj=pass_obj, space=space, day=day, value=plan.visit_value())
        if bounds is not None:
            used += 1
            allowance = selectors.period_allowance(plan)
            remaining = allowance - used
            # Warn when the remaining days come down to a fifth of the allowance (at
            # least one day): they go down one at a time, so once per crossing.
            if remaining == max(1, allowance // 5):
                notifications.allowance_low(pass_obj=pass_obj, remaining=remaining, day=day)
    else:  # back the same day: the same visit-day (only its id and day are read later)
        visit = Visit(pk=visits.today_id, pass_obj=pass_obj, space=space, day=day)
    # Second lock, always after the pass's and as late as possible: check-ins of
    # different passes at one space queue here only for the desk count and the insert.
    capacity = (Space.objects.select_for_update(no_key=True).filter(pk=space.pk)
                .values_list("desk_capacity", flat=True).get())
    if selectors.desks_taken(space, at_most=capacity) >= capacity:
        raise _refuse(SpaceFull(), pass_obj)
    checkin = CheckIn.objects.create(
        pass_obj=pass_obj, space=space, visit=visit, checked_in_at=now, channel=channel,
        checked_in_by=person if channel != Channel.KIOSK else None, kiosk=actor.kiosk,
    )
    _set_remaining(checkin, used, day=day, now=now)
    return checkin, True


def _set_remaining(checkin: CheckIn, used: int, *, day: date, now: datetime) -> None:
    """``checkin.remaining_allowance``: the visit-days left in the period, as
    :func:`selectors.remaining_allowance` counts them (at the issuing space's date), from
    the count already made under the lock when both spaces are on the same date."""
    pass_obj = checkin.pass_obj
    if pass_obj.issuing_space.local_date(now) != day:
        checkin.remaining_allowance = selectors.remaining_allowance(pass_obj, now=now)
    elif selectors.period_bounds(pass_obj.plan, day) is None:
        checkin.remaining_allowance = None
    else:
        checkin.remaining_allowance = max(0, selectors.period_allowance(pass_obj.plan) - used)


@transaction.atomic
def checkin_checkout(*, checkin: CheckIn, now: datetime | None = None) -> CheckIn:
    """Record the departure; a conditional update, so two desks cannot check out twice."""
    now = max(now or timezone.now(), checkin.checked_in_at)
    if not CheckIn.objects.filter(pk=checkin.pk, checked_out_at__isnull=True).update(checked_out_at=now):
        raise AlreadyCheckedOut()
    checkin.refresh_from_db()
    return checkin


def _closing_time(checkin: CheckIn) -> datetime | None:
    """When the opening range the check-in happened in ends, following ranges that touch it."""
    opening = checkin.space.opening_range_at(checkin.checked_in_at)
    if opening is None:
        return None
    end = opening[1]
    while (following := checkin.space.opening_range_at(end)) is not None:
        end = following[1]
    return end


def checkins_close_for_closing_time(*, now: datetime) -> int:
    """Check out everyone still checked in after their space closed; returns how many.

    The departure is the closing time itself, not the time of the scan, so
    the beat period does not change what is recorded. A check-in made outside
    the opening hours (hours edited since) is closed as soon as the space is closed.
    Safe to run concurrently: each row is claimed by a conditional update.
    """
    closed = 0
    open_checkins = (
        CheckIn.objects.filter(checked_out_at__isnull=True, checked_in_at__lte=now)
        .select_related("space").prefetch_related("space__opening_hours", "space__closures")
    )
    for checkin in open_checkins:
        closing = _closing_time(checkin)
        if closing is None:
            if checkin.space.is_open_at(now):
                continue
            closing = now
        if closing <= now:
            closed += CheckIn.objects.filter(pk=checkin.pk, checked_out_at__isnull=True).update(
                checked_out_at=max(closing, checkin.checked_in_at), auto_checked_out=True
            )
    return closed


# --- Settlement ---------------------------------------------------------------


@transaction.atomic
def settlement_month_close(*, network: PassNetwork, month: date, by: Person | None,
                           now: datetime | None = None) -> SettlementMonth:
    """Freeze the settlement of ``month``: its lines never change afterwards.

    Months close in order, once over; what changes later about a closed month
    shows up as an adjustment in the next month still open.
    """
    now = now or timezone.now()
    month = month.replace(day=1)
    # Serializes closings of one network, so two coordinators cannot both close.
    PassNetwork.objects.select_for_update(no_key=True).filter(pk=network.pk).first()
    if selectors.month_last_day(month) >= timezone.localdate(now):
        raise MonthNotOver(field="month")
    closed = SettlementMonth.objects.filter(network=network)
    if closed.filter(month=month).exists():
        raise MonthClosed(field="month")
    if closed.filter(month__gt=month).exists():
        raise LaterMonthClosed(field="month")
    statement = selectors.settlement_compute(network=network, month=month)
    settlement_month = SettlementMonth.objects.create(network=network, month=month, closed_at=now,
                                                      closed_by=by)
    SettlementLine.objects.bulk_create(
        SettlementLine(
            settlement_month=settlement_month, issuing_space_id=line.issuing_space_id,
            host_space_id=line.host_space_id, visit_days=line.visit_days, amount=line.amount,
            adjustment_days=line.adjustment_days, adjustment_amount=line.adjustment_amount,
        )
        for line in statement.lines
    )
    spaces = {s.id: s for s in network.spaces.select_related("operator")}
    for space in spaces.values():
        notifications.settlement_ready(settlement_month=settlement_month, space=space, lines=[
            f"{spaces[x.issuing_space_id].name} → {spaces[x.host_space_id].name} : "
            f"{x.visit_days + x.adjustment_days} j, {x.total_amount} €"
            for x in statement.lines if space.id in (x.issuing_space_id, x.host_space_id)
            and x.issuing_space_id in spaces and x.host_space_id in spaces
        ])
    return settlement_month


def settlements_close_due(*, today: date, close_day: int) -> list[SettlementMonth]:
    """Close last month for every network that has not, from day ``close_day`` of this
    month on (beat, a few times a day); the months it closed.

    Idempotent: a month closed already (by a coordinator, or by a parallel run) is
    skipped; a network with a later month closed is left alone.
    """
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if today.day < close_day:
        return []
    closed = []
    for network in PassNetwork.objects.exclude(settlement_months__month__gte=month):
        try:
            closed.append(settlement_month_close(network=network, month=month, by=None))
        except (MonthClosed, LaterMonthClosed):
            continue
    return closed


def passes_expire(*, today: date) -> int:
    """Mark active passes whose validity ended before ``today`` as expired; how many.

    Check-ins already refuse them by date; the status makes lists and the admin
    say so. Suspended and revoked passes keep their status.
    """
    return Pass.objects.filter(status=PassStatus.ACTIVE, valid_until__lt=today).update(
        status=PassStatus.EXPIRED)


@transaction.atomic
def passes_notify_expiring(*, today: date, days_ahead: int = 7) -> int:
    """Record a reminder for each active pass ending within ``days_ahead`` days; how many passes.

    Rescanning is harmless: the outbox key (pass, end date) records each reminder once.
    """
    expiring = (Pass.objects.filter(status=PassStatus.ACTIVE, holder__isnull=False,
                                    valid_until__range=(today, today + timedelta(days=days_ahead)))
                .select_related("holder", "plan", "issuing_space"))
    count = 0
    for pass_obj in expiring:
        notifications.pass_expiring(pass_obj=pass_obj)
        count += 1
    return count


@transaction.atomic
def visit_remove(*, visit: Visit) -> None:
    """Cancel a visit-day recorded by mistake, with its check-ins.

    When its month is already closed, the closed statement is left as it was
    and the difference appears as an adjustment in the next open month.
    """
    Pass.objects.select_for_update(no_key=True).filter(pk=visit.pass_obj_id).first()
    CheckIn.objects.filter(visit=visit).delete()
    visit.delete()

