"""The one-click unsubscribe link of non-essential notices."""

from __future__ import annotations

from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from worker.outbox import notifications_stop, unsubscribe_email


# Mail providers POST the one-click request themselves (RFC 8058), without a CSRF token;
# the signed token is the authorization, and the only effect is to send less.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation (link scanners follow links); POST stops the notices."""
    try:
        email = unsubscribe_email(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    if request.method == "POST":
        notifications_stop(email=email)
    return render(request, "worker/unsubscribe.html", {"email": email, "done": request.method == "POST"})
