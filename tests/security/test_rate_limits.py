from __future__ import annotations

import pytest
from django.utils import translation

from backend.throttling import TooManyComputations, client_network
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


def test_addresses_of_one_ipv6_network_share_a_budget_and_other_networks_have_their_own(api):
    event = EventFactory(capacity=None)

    def register(n: int, address: str) -> int:
        return api.post(f"/api/v1/events/{event.pk}/registrations/",
                        {"name": "Robot", "email": f"robot{n}@example.org"}, format="json",
                        REMOTE_ADDR=address).status_code

    # One subscriber's /64 holds 2**64 addresses: a new one for each request gains nothing.
    statuses = [register(n, f"2001:db8:1:2::{n + 1:x}") for n in range(31)]
    assert statuses[:30] == [201] * 30 and statuses[30] == 429
    assert register(31, "2001:db8:1:3::1") == 201
    # An IPv4 client seen through a dual-stack socket counts as itself, not as one big network.
    assert client_network("::ffff:198.51.100.7") == "198.51.100.7" != client_network("::ffff:198.51.100.8")


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


def test_guest_registrations_on_the_web_share_the_api_budget(api, client):
    from events.models import Registration

    event = EventFactory(capacity=None)
    for n in range(29):
        assert api.post(f"/api/v1/events/{event.pk}/registrations/",
                        {"name": "Robot", "email": f"robot{n}@example.org"}, format="json").status_code == 201
    url = f"/evenements/{event.slug}/inscription/"
    assert client.post(url, {"name": "Robot", "email": "robot29@example.org"}).status_code == 302
    response = client.post(url, {"name": "Robot", "email": "robot30@example.org"},
                           HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429
    assert "Trop d'inscriptions depuis cette adresse" in response.content.decode()
    assert Registration.objects.count() == 30


def test_a_refusal_of_new_computations_due_in_less_than_a_minute_says_one_minute_in_each_language():
    assert "réessayez dans 1 minute. " in TooManyComputations(20).detail
    with translation.override("en"):
        refused = TooManyComputations(20)
    assert "try again in 1 minute. " in refused.detail and refused.retry_after == 20
    assert "réessayez dans 2 minutes. " in TooManyComputations(61).detail
