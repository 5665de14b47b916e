"""Rate limits on the endpoints people could hammer, keyed on the client address.

The address is REMOTE_ADDR, or the one the TRUSTED_PROXIES-th proxy from the
right saw in X-Forwarded-For (``NUM_PROXIES`` in settings): a forged header
cannot reset a limit. Rates are settings (``THROTTLE_*`` variables).
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle


class AddressRateThrottle(SimpleRateThrottle):
    """Counts requests per client address, signed in or not."""

    methods: frozenset[str] | None = None

    def allow_request(self, request, view):
        if self.methods is not None and request.method not in self.methods:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginRateThrottle(AddressRateThrottle):
    """Password guesses."""

    scope = "login"


class RegistrationRateThrottle(AddressRateThrottle):
    """Registrations, which anyone may send with a name and an email."""

    scope = "registration"
    methods = frozenset({"POST"})


class FiguresRateThrottle(AddressRateThrottle):
    """Figures for a filter nobody asked for before, which the worker then computes (seconds
    on national data): anyone may ask, so one address may ask for so many."""

    scope = "figures"
