"""Event images: what an upload must be, and the re-encoded files that are stored and served.

An upload is refused before it is decoded when it is too heavy, is not one of the accepted
raster formats (an SVG may carry script), or declares more pixels than
:data:`MAX_PIXELS` (a decompression bomb: a few kilobytes that unpack into gigabytes). An
accepted one is decoded with Pillow, turned upright, flattened onto white and written again
as JPEG in two sizes: nothing of the uploaded file is kept, so neither its metadata (EXIF,
GPS position) nor anything hidden in it reaches visitors.

Stored names are the SHA-256 of the page-size file, so the same picture is stored once
whatever the number of events (a series) using it, and its address can be cached forever.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# 40 megapixels: any camera's photo, far below what would exhaust memory once decoded.
MAX_PIXELS = 40_000_000
# The page and social-network previews (Open Graph asks for at least 1200 pixels wide).
PAGE_SIZE = (1600, 1600)
THUMB_SIZE = (480, 480)
QUALITY = 85
FOLDER = "events"
TOO_HEAVY = _("L'image pèse %(size)s Mo : %(max)s Mo au plus.")
# How long a stored image no event uses is kept (see ``unused_delete``).
UNUSED_GRACE = timedelta(days=1)
STORED_NAME = re.compile(r"^[0-9a-f]{64}(?:-thumb)?\.jpg$")


@dataclass(frozen=True)
class PreparedImage:
    """An accepted upload, re-encoded: the page-size and thumbnail JPEGs."""

    page: bytes
    thumb: bytes
    width: int
    height: int

    @property
    def name(self) -> str:
        return f"{FOLDER}/{hashlib.sha256(self.page).hexdigest()}.jpg"


def _refuse(message, **params) -> ValidationError:
    return ValidationError(message, code="invalid_image", params=params)


def megabytes(size: int) -> str:
    """``10`` or ``20,5``: megabytes as people read them, in the current language."""
    value = round(size / 1_000_000, 1)
    return str(int(value)) if value.is_integer() else formats.number_format(value, 1)


def prepare(upload) -> PreparedImage:
    """Check an uploaded file and re-encode it; raises ``ValidationError`` saying why it is refused."""
    limit = settings.EVENT_IMAGE_MAX_BYTES
    if upload.size > limit:
        raise _refuse(TOO_HEAVY, size=megabytes(upload.size), max=megabytes(limit))
    upload.seek(0)
    head = upload.read(1024).lstrip().lower()
    upload.seek(0)
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise _refuse(_("Les images SVG ne sont pas acceptées (elles peuvent contenir du script) : "
                        "enregistrez-la en PNG ou en JPEG."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise _refuse(_("Format %(format)s non accepté : JPEG, PNG, WebP ou GIF."),
                                  format=image.format)
                if image.width * image.height > MAX_PIXELS:
                    raise _refuse(_("L'image fait %(width)s × %(height)s pixels : %(max)s millions de "
                                    "pixels au plus."), width=image.width, height=image.height,
                                  max=MAX_PIXELS // 1_000_000)
                image.seek(0)
                image.load()
                picture = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _refuse(_("L'image annonce trop de pixels pour être ouverte sans risque (%(max)s millions au "
                        "plus)."), max=MAX_PIXELS // 1_000_000) from error
    except UnidentifiedImageError as error:
        raise _refuse(_("Ce fichier n'est pas une image : JPEG, PNG, WebP ou GIF attendus.")) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise _refuse(_("L'image est illisible ou incomplète : enregistrez-la à nouveau et "
                        "réessayez.")) from error
    flat = _flatten(picture)
    page, thumb = flat.copy(), flat.copy()
    page.thumbnail(PAGE_SIZE, Image.Resampling.LANCZOS)
    thumb.thumbnail(THUMB_SIZE, Image.Resampling.LANCZOS)
    return PreparedImage(page=_jpeg(page), thumb=_jpeg(thumb), width=page.width, height=page.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background: JPEG has no transparency."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif= argument: the stored file carries no metadata at all.
    image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def store(prepared: PreparedImage) -> str:
    """Write both sizes (once: the name is the content's hash) and answer the page-size name."""
    name = prepared.name
    for path, content in ((name, prepared.page), (thumb_name(name), prepared.thumb)):
        if not default_storage.exists(path):
            default_storage.save(path, ContentFile(content))
        else:
            _touch(path)
    return name


def _touch(path: str) -> None:
    """A file used again is young again: :func:`unused_delete` leaves it a day more."""
    # A storage without local paths: the day of grace counts from the first upload.
    with contextlib.suppress(NotImplementedError, OSError):
        os.utime(default_storage.path(path))


def unused_delete(*, now: datetime | None = None) -> int:
    """Delete the stored images no event uses any more (replaced, taken away, or stored by a save
    that was then refused), once they are a day old: an image being saved is used before then.
    Answers the number of files deleted."""
    from events.models import Event

    now = now or timezone.now()
    used = set(Event.objects.exclude(image="").values_list("image", flat=True))
    used |= {thumb_name(name) for name in used}
    if not default_storage.exists(FOLDER):
        return 0
    deleted = 0
    for name in default_storage.listdir(FOLDER)[1]:
        path = f"{FOLDER}/{name}"
        if (STORED_NAME.match(name) and path not in used
                and default_storage.get_modified_time(path) < now - UNUSED_GRACE):
            default_storage.delete(path)
            deleted += 1
    return deleted


def thumb_name(name: str) -> str:
    return name.removesuffix(".jpg") + "-thumb.jpg"
