"""Middleware that turns what would be a 500 into the right answer.

- :class:`DatabaseUnavailableMiddleware`: 503, not 500, while the database cannot be
  reached (a restart, a failover). Nothing was written when the connection itself
  failed, so the client may retry; ``Retry-After`` says when.
- :class:`NulCharacterMiddleware`: 400 for a query parameter holding a NUL character,
  which no text column can store and PostgreSQL refuses even in a lookup; 404 for a path
  holding one, which names nothing.
- :class:`BodySizeMiddleware`: 413 for a body declared larger than
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before any of it is read, so the limit Django puts on form
  and JSON bodies holds for multipart ones too. Views that take a file (marked with
  :func:`accepts_upload`) accept multipart bodies up to ``UPLOAD_MAX_BODY_BYTES``: their form
  refuses a file too heavy on its field, with the rest of what was typed kept.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.html import escape
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


def accepts_upload(view):
    """Mark a view (or a DRF view class) as taking a file: see :class:`BodySizeMiddleware`."""
    view.accepts_upload = True
    return view


class BodySizeMiddleware:
    """Checked once the view is known (``process_view``) and before any middleware or view reads
    the body: the CSRF check, which reads forms, comes after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        takes_files = getattr(view_func, "accepts_upload", False) or getattr(
            getattr(view_func, "cls", None), "accepts_upload", False)
        if takes_files and request.content_type == "multipart/form-data":
            limit = settings.UPLOAD_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if limit is None or declared <= limit:
            return None
        detail = _("Le corps de la requête est trop volumineux.")
        if takes_files:
            detail = _("Le fichier envoyé est trop volumineux : %(max)s Mo au plus pour une image.") % {
                "max": settings.EVENT_IMAGE_MAX_BYTES // 1_000_000}
        if not request.path.startswith("/api/"):
            return HttpResponse(f"<!doctype html><title>413</title><p>{escape(detail)}</p>",
                                status=413)
        return JsonResponse({"code": "payload_too_large", "detail": detail}, status=413)


def _is_connection_error(exception: Exception) -> bool:
    # OperationalError also covers lock timeouts and serialization failures, which are
    # bugs to see as 500s; only lost or refused connections are an outage.
    text = str(exception).lower()
    return isinstance(exception, InterfaceError) or any(
        marker in text for marker in ("connection", "server closed", "terminating", "shutting down",
                                      "could not connect", "the database system is")
    )
