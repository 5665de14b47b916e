"""The API's JSON parser, in a module of its own: DRF reads the parser classes from the settings
while ``rest_framework.views`` is imported, so their module must not import it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's, refusing a document nested deeper than ``MAX_DEPTH`` with a 400: no input of the
    API nests beyond a few levels, and Python's parser would raise ``RecursionError`` (a 500)
    on ``[[[[…]]]]``."""

    MAX_DEPTH = 32

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if _depth_within(data, self.MAX_DEPTH):
                return data
        raise exceptions.ParseError(
            _("Document JSON trop imbriqué (au plus %(depth)s niveaux).") % {"depth": self.MAX_DEPTH})


def _depth_within(data: Any, limit: int) -> bool:
    level = [data]
    for _depth in range(limit + 1):
        level = [child for value in level if isinstance(value, (dict, list))
                 for child in (value.values() if isinstance(value, dict) else value)]
        if not level:
            return True
    return False
