"""Rate limits on the endpoints people could hammer, keyed on the client address.

The address is REMOTE_ADDR, or the one the TRUSTED_PROXIES-th proxy from the
right saw in X-Forwarded-For (``NUM_PROXIES`` in settings): a forged header
cannot reset a limit. An IPv6 address counts by its /64 network, which one
subscriber holds whole and can pick new addresses in at will. Rates are
settings (``THROTTLE_*`` variables).
"""

from __future__ import annotations

import ipaddress
import math

from django.http import HttpRequest
from django.utils.translation import ngettext
from rest_framework.throttling import SimpleRateThrottle

from backend.api import DomainError


class AddressRateThrottle(SimpleRateThrottle):
    """Counts requests per client address, signed in or not."""

    methods: frozenset[str] | None = None

    def allow_request(self, request, view):
        if self.methods is not None and request.method not in self.methods:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_network(self.get_ident(request))}


def client_network(address: str) -> str:
    """What a rate limit counts: an IPv4 address, or an IPv6 address's /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if not isinstance(parsed, ipaddress.IPv6Address):
        return address
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


class LoginRateThrottle(AddressRateThrottle):
    """Password guesses."""

    scope = "login"


class RegistrationRateThrottle(AddressRateThrottle):
    """Registrations, which anyone may send with a name and an email."""

    scope = "registration"
    methods = frozenset({"POST"})


class ComputationRateThrottle(AddressRateThrottle):
    """What anyone may ask the worker for and nobody asked for before: figures for a new filter,
    a brochure of a new selection. Each costs the worker seconds to a minute."""

    scope = "computations"


class TooManyComputations(DomainError):
    status = 429
    code = "too_many_computations"

    def __init__(self, seconds: float) -> None:
        minutes = max(1, math.ceil(seconds / 60))
        super().__init__(ngettext(
            "Trop de nouveaux calculs demandés depuis votre adresse : réessayez dans %(minutes)s minute. "
            "Ce qui est déjà calculé reste consultable.",
            "Trop de nouveaux calculs demandés depuis votre adresse : réessayez dans %(minutes)s minutes. "
            "Ce qui est déjà calculé reste consultable.", minutes), minutes=minutes)
        self.retry_after = math.ceil(seconds)


def charge_new_computation(request: HttpRequest) -> None:
    """Count a new computation against ``request``'s address (``THROTTLE_COMPUTATIONS``);
    :class:`TooManyComputations` beyond its budget. Call it only for what nobody asked for
    before: what is computed, or being computed, stays open to everyone."""
    throttle = ComputationRateThrottle()
    if not throttle.allow_request(request, None):
        raise TooManyComputations(throttle.wait() or 60)
