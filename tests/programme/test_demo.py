"""The demo shows each part of the programme with something meaningful."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_moved_event_a_geocoded_address_and_an_online_event(client):
    call_command("load_demo", stdout=None)
    call_command("load_demo", stdout=None)

    moved = client.get("/evenements/atelier-monter-scic/").content.decode()
    assert "https://schema.org/EventRescheduled" in moved and "previousStartDate" in moved
    campaign = client.get("/evenements/repair-cafe-lomme/").context["event"].campaign.slug
    html = client.get("/carte/", {"campaign": campaign}).content.decode()
    on_map = html[html.index('id="liste-carte"'):html.index('id="liste-hors-carte"')]
    beside = html[html.index('id="liste-hors-carte"'):]
    assert "Repair café" in on_map
    assert "Webinaire" in beside
    assert client.get(f"/feeds/campaigns/{campaign}.rss").status_code == 200
