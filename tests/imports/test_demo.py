"""The demo's imported agenda: CEAS 72's Nextcloud export, loaded twice without duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, Moderation
from imports import demo
from imports.models import Source
from worker.models import Message

# One load for the module; each test rolls back what it changes.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_demo_imports_an_organizations_agenda_and_loading_it_again_changes_nothing():
    source = Source.objects.get(organization__slug="ceas-72")
    events = Event.objects.filter(import_item__source=source)
    assert events.count() == 9
    assert events.filter(title="Permanence : entreprendre en ESS (au Mans Centre)").count() == 1
    workshop = events.get(title="Atelier : créer une SCIC")
    assert workshop.moderation == Moderation.PENDING and workshop.campaign is not None
    assert events.get(title="Portes ouvertes du CEAS 72").all_day
    assert [i["reason"] for i in source.last_report["ignored"]] == ["privé dans l'agenda d'origine (CLASS)"]
    messages, sequences = Message.objects.count(), sorted(events.values_list("sequence", flat=True))

    call_command("load_demo", stdout=None)

    assert Event.objects.filter(import_item__source=source).count() == 9
    assert sorted(events.values_list("sequence", flat=True)) == sequences
    assert Message.objects.count() == messages


def test_the_demo_agenda_moves_with_today():
    source = Source.objects.get(organization__slug="ceas-72")
    doors = Event.objects.get(import_item__source=source, title="Portes ouvertes du CEAS 72")
    first = Event.objects.filter(import_item__source=source).order_by("starts_at").first()

    demo.load(today=timezone.localdate() + timedelta(days=7), log=lambda message: None)

    # A single event moves in place; a recurring one's dates are known by their RECURRENCE-ID,
    # so the date the rule no longer gives is cancelled and a new last date appears.
    moved = Event.objects.get(pk=doors.pk)
    assert moved.starts_at == doors.starts_at + timedelta(weeks=1) and moved.sequence == doors.sequence + 1
    assert Event.objects.get(pk=first.pk).status == "cancelled"
    assert Event.objects.filter(import_item__source=source, status="published").count() == 9
