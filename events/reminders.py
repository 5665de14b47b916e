"""Reminders before events: the rules, the rows, and the scan that sends them.

An event's ``reminders`` is a list of rules, the organizers' to change:

- ``Nd@HH:MM``: N days before, at HH:MM in the event's time zone (``1d@09:00``,
  the default, is the day before at 9:00 local time, whatever the DST);
- ``Nh`` or ``Nm``: N hours or minutes before the start (``2h``, the other default).

Each confirmed registration of a published event has one :class:`Reminder` row
per rule (:func:`reminders_sync`, called by the services after every change
that may move or void one). The scan (:func:`reminders_send_due`, task
``events.send_due_reminders`` every minute) locks due rows with SKIP LOCKED,
records their messages in the outbox and marks them sent in one transaction:
two scans at once, or a worker killed mid-way, record each reminder once, and
the outbox sends each message once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.messages import reminder_lapse, reminder_message
from events.models import Event, EventStatus, Registration, RegistrationStatus, Reminder
from worker.outbox import messages_record_many

RULE = re.compile(
    r"^(?:(?P<days>[1-9]\d?)d@(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)|(?P<amount>[1-9]\d{0,4})(?P<unit>[hm]))$")
MAX_RULES = 5
LONGEST = timedelta(days=30)
SHORTEST = timedelta(minutes=5)
BATCH = 500


def reminder_rules_clean(value: object) -> list[str]:
    """The rules of ``value`` without duplicates; a ValidationError names the wrong one."""
    if not isinstance(value, list) or not all(isinstance(rule, str) for rule in value):
        raise ValidationError(_("Une liste de règles est attendue, par exemple [\"1d@09:00\", \"2h\"]."))
    rules = list(dict.fromkeys(rule.strip() for rule in value))
    if len(rules) > MAX_RULES:
        raise ValidationError(_("%(max)d rappels au plus par événement."), params={"max": MAX_RULES})
    for rule in rules:
        match = RULE.match(rule)
        if match is None:
            raise ValidationError(
                _("« %(rule)s » n'est pas une règle de rappel : « 1d@09:00 » (la veille à 9 h), "
                  "« 2h » ou « 30m » (avant le début)."), params={"rule": rule})
        if match["amount"]:
            ahead = timedelta(**{"hours" if match["unit"] == "h" else "minutes": int(match["amount"])})
        else:
            ahead = timedelta(days=int(match["days"]))
        if not SHORTEST <= ahead <= LONGEST:
            raise ValidationError(_("« %(rule)s » : un rappel se situe entre 5 minutes et 30 jours avant."),
                                  params={"rule": rule})
    return rules


def due_at(rule: str, event: Event) -> datetime:
    """When ``rule`` reminds of ``event``."""
    match = RULE.match(rule)
    assert match is not None, "rules are cleaned before they are stored"
    if match["amount"]:
        unit = "hours" if match["unit"] == "h" else "minutes"
        return event.starts_at - timedelta(**{unit: int(match["amount"])})
    zone = event.zone
    day = event.starts_at.astimezone(zone).date() - timedelta(days=int(match["days"]))
    return datetime.combine(day, time(int(match["hour"]), int(match["minute"])), zone)


def reminders_sync(*, event: Event, registrations: Iterable[Registration] | None = None) -> None:
    """Bring the reminder rows of ``event`` (or of some of its ``registrations``) in line
    with its rules, start, status and registrations.

    Rows of a rule dropped, of a registration no longer confirmed, or of an event no
    longer published go (unless sent). A moved event moves its rows; one already sent
    and due again in the future is sent again, for the new date. Reminders whose time
    has passed when they come into being (a registration two hours before) are not
    created: the confirmation said it all.
    """
    now = timezone.now()
    rows = Reminder.objects.filter(registration__event=event)
    confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED)
    if registrations is not None:
        ids = [registration.pk for registration in registrations]
        rows, confirmed = rows.filter(registration_id__in=ids), confirmed.filter(id__in=ids)
    live = event.status == EventStatus.PUBLISHED and event.starts_at > now
    rules = {rule: due_at(rule, event) for rule in event.reminders} if live else {}
    kept = {"kind__in": rules, "registration__status": RegistrationStatus.CONFIRMED}
    rows.filter(sent_at=None).exclude(**kept).delete()
    ahead = {rule: due for rule, due in rules.items() if due > now}
    for rule, due in rules.items():
        moved = rows.filter(kind=rule).exclude(due_at=due)
        if rule in ahead:
            moved.update(due_at=due, sent_at=None)
        else:
            moved.filter(sent_at=None).delete()
            moved.update(due_at=due)
    if ahead:
        have = set(rows.values_list("registration_id", "kind"))
        Reminder.objects.bulk_create(
            [Reminder(registration_id=pk, kind=rule, due_at=due)
             for pk in confirmed.values_list("id", flat=True)
             for rule, due in ahead.items() if (pk, rule) not in have],
            ignore_conflicts=True)


def reminders_send_due(*, limit: int = BATCH) -> int:
    """Record the messages of up to ``limit`` due reminders and mark them sent; how many
    rows were handled (0: nothing is due).

    A due row whose event has started, or is no longer published, or whose
    registration is no longer confirmed, is dropped without a message (the services
    usually removed it already).
    """
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Reminder.objects.filter(sent_at=None, due_at__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("registration__person", "registration__event__room__space")
            .order_by("due_at", "id")[:limit]
        )
        send = [r for r in due if not reminder_lapse(r.registration, now=now)]
        if send:
            messages_record_many([reminder_message(reminder) for reminder in send])
            Reminder.objects.filter(id__in=[r.id for r in send]).update(sent_at=now)
        Reminder.objects.filter(id__in={r.id for r in due} - {r.id for r in send}).delete()
    return len(due)
