"""Pagination, kept apart from views: DRF imports it while it builds ``APIView``."""

from __future__ import annotations

from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
