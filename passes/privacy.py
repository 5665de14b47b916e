"""Passes and visits in a person's data export and erasure."""

from __future__ import annotations

from django.utils import timezone

from network.models import Person
from network.privacy import moment
from passes import services
from passes.models import CheckIn, Pass, PassStatus


def export(person: Person) -> dict:
    passes = Pass.objects.filter(holder=person).select_related("plan", "issuing_space")
    return {
        "passes": [
            {"plan": p.plan.name, "issuing_space": p.issuing_space.name,
             "valid_from": p.valid_from.isoformat(), "valid_until": p.valid_until.isoformat(),
             "status": p.status, "short_code": p.short_code,
             "visits": [{"space": v.space.name, "day": v.day.isoformat()}
                        for v in p.visits.select_related("space").order_by("day")]}
            for p in passes
        ],
        "checkins": [
            {"space": c.space.name, "checked_in_at": moment(c.checked_in_at, c.space.zone),
             "checked_out_at": moment(c.checked_out_at, c.space.zone)}
            for c in CheckIn.objects.filter(pass_obj__holder=person).select_related("space")
        ],
    }


def erase(person: Person) -> None:
    """Revoke the passes, close what is open, and keep their visits without a holder:
    spaces are still owed for them in the settlement."""
    now = timezone.now()
    passes = list(Pass.objects.filter(holder=person))
    # The passes first, locked as an arrival locks them (an arrival scanning one of them
    # waits, then finds it revoked); then their open check-ins are closed, in space order.
    for pass_obj in passes:
        if pass_obj.status != PassStatus.REVOKED:
            services.pass_set_status(pass_obj=pass_obj, status=PassStatus.REVOKED)
    for checkin in CheckIn.objects.filter(pass_obj__in=passes, checked_out_at__isnull=True) \
            .order_by("space_id"):
        services.checkin_checkout(checkin=checkin, now=now)
    for pass_obj in passes:
        pass_obj.holder = None
        pass_obj.save(update_fields=["holder"])
