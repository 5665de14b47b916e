"""The API's JSON and multipart parsers, in a module of their own: DRF reads the parser classes
from the settings while ``rest_framework.views`` is imported, so their module must not import
it."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.http import parse_header_parameters
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


class MultiPartParser(parsers.MultiPartParser):
    """DRF's, reading a part that has headers and no body as an empty value. MIME allows it
    (RFC 2046 §5.1.1: the blank line and the body are optional), some encoders send an empty
    field so, and Django's parser skips such a part: the field would count as not sent.

    Only a body within ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is read whole to do so; a larger one (an
    image upload) goes to Django's parser as it comes, which keeps files out of memory."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {})["request"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if stream is None or not 0 <= length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return super().parse(stream, media_type, parser_context)
        body = _with_empty_bodies(stream.read(), media_type or "")
        meta = {**request.META, "CONTENT_TYPE": media_type, "CONTENT_LENGTH": str(len(body))}
        # DRF's own helper, which its stubs do not list yet.
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
        try:
            data, files = DjangoMultiPartParser(meta, io.BytesIO(body), request.upload_handlers,
                                                encoding).parse()
        except MultiPartParserError as exc:
            raise exceptions.ParseError(f"Multipart form parse error - {exc}") from None
        return parsers.DataAndFiles(data, files)


def _with_empty_bodies(body: bytes, media_type: str) -> bytes:
    """``body`` where each part made of headers only gets the blank line that ends them; a
    ParseError (400) when a part names no field, which Django's parser would skip."""
    boundary = parse_header_parameters(media_type)[1].get("boundary", "").encode()
    if not boundary:
        return body
    first = b"--" + boundary + b"\r\n"
    parts = body.split(b"\r\n--" + boundary)
    for index, part in enumerate(parts):
        opening = part.startswith(first) if index == 0 else not part.startswith(b"--")
        if not opening or not part.strip():
            continue  # the preamble, or the closing delimiter and what follows it
        headers = part.split(b"\r\n\r\n", 1)[0]
        if b"content-disposition:" not in headers.lower():
            raise exceptions.ParseError(_("Formulaire multipart mal formé : une partie sans en-tête "
                                          "Content-Disposition."))
        if b"\r\n\r\n" not in part:
            parts[index] = part + b"\r\n"
    return (b"\r\n--" + boundary).join(parts)
