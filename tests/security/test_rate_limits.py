from __future__ import annotations

import pytest

from tests.events.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_public_registrations_are_rate_limited_per_address_even_with_forged_headers(api, settings):
    event = EventFactory(capacity=None)
    statuses = [
        api.post(f"/api/v1/events/{event.pk}/registrations/",
                 {"name": "Robot", "email": f"robot{n}@example.org"}, format="json",
                 HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(32)
    ]
    assert statuses[:30] == [201] * 30
    assert statuses[30:] == [429, 429]
    # Reading the list is not a registration: it is not counted.
    assert api.get(f"/api/v1/events/{event.pk}/").status_code == 200


def test_a_trusted_proxy_makes_the_forwarded_address_count(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        event = EventFactory(capacity=None)
        statuses = {
            api.post(f"/api/v1/events/{event.pk}/registrations/",
                     {"name": "Voisin", "email": f"voisin{n}@example.org"}, format="json",
                     HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
            for n in range(35)
        }
        assert statuses == {201}, "each real client behind the proxy has its own count"
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
        api_settings.reload()
