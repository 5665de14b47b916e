"""Pagination, kept apart from views: DRF imports it while it builds ``APIView``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class Pagination(pagination.PageNumberPagination):
    """DRF's, refusing a ``page_size`` that is not a whole number from 1 to ``max_page_size``
    and a ``page`` that is not one from 1 (400 naming them) instead of falling back."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= self.max_page_size:
            message = _("Un nombre entier de 1 à %(max)s.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(value)

    def get_page_number(self, request, paginator):
        """``page`` given must be a whole number from 1 (or ``last``): 400 naming it otherwise,
        where DRF would answer the first page for an empty one."""
        value = request.query_params.get(self.page_query_param)
        if value is None or value in self.last_page_strings:
            return value or 1
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ValidationError({self.page_query_param: [_("Un nombre entier à partir de 1.")]})
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
        return parameters
