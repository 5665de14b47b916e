from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_organizations_give_their_feed_links(api):
    from tests.factories import OrganizationFactory

    OrganizationFactory(slug="apes")
    body = api.get("/api/v1/organizations/apes/").json()
    assert body["feed_url"] == "http://127.0.0.1:8000/feeds/organizations/apes.ics"
    assert body["webcal_url"] == "webcal://127.0.0.1:8000/feeds/organizations/apes.ics"
    assert body["google_calendar_url"].startswith("https://calendar.google.com/calendar/render?cid=webcal")


def test_campaigns_and_events_give_their_feed_and_ics_links(api):
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Campaign, Event, EventStatus
    from tests.factories import OrganizationFactory

    campaign = Campaign.objects.create(title="Mois de l'ESS", slug="mois-ess",
                                       starts_on=timezone.localdate(),
                                       ends_on=timezone.localdate() + timedelta(days=30))
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(title="Forum", slug="forum", organization=OrganizationFactory(),
                                 status=EventStatus.PUBLISHED, starts_at=start,
                                 ends_at=start + timedelta(hours=2))
    body = api.get(f"/api/v1/campaigns/{campaign.slug}/").json()
    assert body["feed_url"].endswith("/feeds/campaigns/mois-ess.ics")
    assert body["webcal_url"].startswith("webcal://")
    ics_url = api.get(f"/api/v1/events/{event.pk}/").json()["ics_url"]
    assert ics_url.endswith(f"/feeds/events/{event.pk}.ics")
    path = "/" + ics_url.split("://", 1)[1].split("/", 1)[1]
    assert api.get(path).status_code == 200
