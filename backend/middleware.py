"""Middleware that turns what would be a 500 into the right answer.

- :class:`DatabaseUnavailableMiddleware`: 503, not 500, while the database cannot be
  reached (a restart, a failover). Nothing was written when the connection itself
  failed, so the client may retry; ``Retry-After`` says when.
- :class:`NulCharacterMiddleware`: 400 for a query parameter holding a NUL character,
  which no text column can store and PostgreSQL refuses even in a lookup; 404 for a path
  holding one, which names nothing.
- :class:`BodySizeMiddleware`: 413 for a body declared larger than
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before any of it is read. Essaim takes no file uploads,
  so the limit Django puts on form and JSON bodies holds for multipart ones too.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)) or not _is_connection_error(
            exception
        ):
            return None
        logger.warning("database unavailable: %s", exception)
        response = JsonResponse(
            {"code": "unavailable",
             "detail": _("Service momentanément indisponible, réessayez dans un instant.")},
            status=503,
        )
        response["Retry-After"] = "5"
        return response


class NulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                field = name.replace("\x00", "")
                detail = _("Le paramètre « %(name)s » contient un caractère nul.") % {"name": field}
                return JsonResponse({"code": "invalid", "detail": detail,
                                     "fields": {field: [detail]}}, status=400)
        return self.get_response(request)


class BodySizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is not None and declared > limit:
            return JsonResponse({"code": "payload_too_large",
                                 "detail": _("Le corps de la requête est trop volumineux.")}, status=413)
        return self.get_response(request)


def _is_connection_error(exception: Exception) -> bool:
    # OperationalError also covers lock timeouts and serialization failures, which are
    # bugs to see as 500s; only lost or refused connections are an outage.
    text = str(exception).lower()
    return isinstance(exception, InterfaceError) or any(
        marker in text for marker in ("connection", "server closed", "terminating", "shutting down",
                                      "could not connect", "the database system is")
    )
