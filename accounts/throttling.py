"""Rate limits of sign-up, verification and reset requests: per client address (as sign-in,
``backend/throttling.py``) and per email address asked about, whether or not it has an account,
so that a limit reached says nothing about the address."""

from __future__ import annotations

import hashlib

from rest_framework.throttling import SimpleRateThrottle

from backend.throttling import AddressRateThrottle


class AccountRateThrottle(AddressRateThrottle):
    """Account requests from one client address."""

    scope = "account"


class EmailAddressRateThrottle(SimpleRateThrottle):
    """Account requests about one email address, from anywhere."""

    scope = "account_email"

    def __init__(self, email: str) -> None:
        super().__init__()
        self.email = email.strip().lower()

    def get_cache_key(self, request, view):
        ident = hashlib.sha256(self.email.encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


def allows(throttle: SimpleRateThrottle, request) -> bool:
    """Whether ``request`` is within the budget of ``throttle``, asked outside any view."""
    # These throttles key on the client and the address, never on the view, which DRF's
    # SimpleRateThrottle only hands to get_cache_key; the stubs require one all the same.
    return throttle.allow_request(request, None)  # type: ignore[arg-type]


def refused_for(request, email: str | None = None) -> float | None:
    """Seconds to wait when ``request`` is over a budget (the client's, then the address's),
    None when it may go on. Works with Django's and DRF's requests."""
    for throttle in (AccountRateThrottle(), *([EmailAddressRateThrottle(email)] if email else [])):
        if not allows(throttle, request):
            return throttle.wait() or 1
    return None
