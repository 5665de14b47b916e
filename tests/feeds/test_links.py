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
