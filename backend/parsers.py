"""Request parsing and pagination, kept apart from views: DRF imports these while
it builds ``APIView`` itself."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = _("Le corps de la requête est trop volumineux.")


class LimitedJSONParser(parsers.JSONParser):
    """JSON parser that refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE.

    DRF reads the request stream itself, past Django's own size check.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if limit is not None and length and length.isdigit() and int(length) > limit:
            raise PayloadTooLarge()
        return super().parse(stream, media_type, parser_context)


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
