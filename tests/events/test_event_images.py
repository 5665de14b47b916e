"""Event images: what an upload must be to be accepted, what is stored and how it is served,
through the event form and the API."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events.models import Event
from tests.events.factories import in_days

pytestmark = pytest.mark.django_db

SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(document.cookie)</script></svg>')


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo(name="photo.jpg", size=(1800, 1200), mode="RGB", fmt="JPEG", **save) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, (200, 80, 40) if mode == "RGB" else None).save(out, fmt, **save)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def with_gps(name="gps.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 600), (10, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "Appareil de test"  # Make
    exif[0x8825] = {1: "N", 2: (50.0, 37.0, 0.0), 3: "E", 4: (3.0, 3.0, 0.0)}  # GPS: Lille
    exif[0x0112] = 6  # taken rotated: shown upright once re-encoded
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def bomb() -> SimpleUploadedFile:
    """A valid PNG header announcing 60,000 × 60,000 pixels (3.6 billion) in a few hundred bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 60_001 * 4, 9)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    return SimpleUploadedFile("bomb.png", png, content_type="image/png")


REFUSED = {
    "twenty_megabytes": (lambda: SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (20 * 10**6),
                                                    content_type="image/jpeg"),
                         "L'image pèse 20 Mo : 10 Mo au plus."),
    "not_an_image": (lambda: SimpleUploadedFile("cv.jpg", b"%PDF-1.4\n1 0 obj << >> endobj\n" * 20,
                                                content_type="image/jpeg"),
                     "Ce fichier n'est pas une image : JPEG, PNG, WebP ou GIF attendus."),
    "decompression_bomb": (bomb, "L'image annonce trop de pixels pour être ouverte sans risque"),
    "svg_with_script": (lambda: SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml"),
                        "Les images SVG ne sont pas acceptées (elles peuvent contenir du script)"),
    "svg_renamed_jpg": (lambda: SimpleUploadedFile("logo.jpg", SVG, content_type="image/jpeg"),
                        "Les images SVG ne sont pas acceptées"),
    "truncated_jpeg": (lambda: SimpleUploadedFile("cut.jpg", photo().read()[:3000],
                                                  content_type="image/jpeg"),
                       "L'image est illisible ou incomplète"),
    "tiff": (lambda: photo("scan.tif", fmt="TIFF"), "Format TIFF non accepté : JPEG, PNG, WebP ou GIF."),
}


def _form(world, **overrides) -> dict:
    day = in_days(12)
    data = {"organization": world.lead.pk, "title": "Forum avec affiche", "format": "forum",
            "starts_at": day.strftime("%Y-%m-%dT18:00"), "ends_at": day.strftime("%Y-%m-%dT20:00"),
            "time_zone": "Europe/Paris", "status": "published", "audience": "Tout public"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_image_is_refused_on_its_field_and_nothing_is_saved(client, world, media, case):
    make, message = REFUSED[case]
    client.force_login(world.organizer)
    response = client.post(reverse("web:event-create"), _form(world, image=make()))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert 'id="id_image_error"' in html
    assert message in html
    # What was typed is kept for the next try.
    assert 'value="Tout public"' in html
    assert not Event.objects.filter(title="Forum avec affiche").exists()
    assert not any(media.rglob("*.jpg"))


@pytest.mark.parametrize("case", ["twenty_megabytes", "not_an_image", "decompression_bomb",
                                  "svg_with_script"])
def test_the_api_refuses_the_same_images_naming_the_field(login, world, case):
    make, message = REFUSED[case]
    response = login(world.organizer).put(f"/api/v1/events/{world.event.pk}/image/", {"image": make()},
                                          format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert message in " ".join(body["fields"]["image"])
    world.event.refresh_from_db()
    assert not world.event.image


def test_a_body_beyond_the_upload_limit_is_refused_before_it_is_read(client, world):
    client.force_login(world.organizer)
    response = client.generic("POST", reverse("web:event-create"), b"",
                              content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(64 * 2**20))
    assert response.status_code == 413
    assert "10 Mo au plus" in response.content.decode()
    # Pages that take no file keep the small limit.
    response = client.generic("POST", reverse("web:co-organizations"), b"",
                              content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(2**20))
    assert response.status_code == 413


def test_an_accepted_image_is_stored_re_encoded_without_its_metadata_and_served(client, world, media,
                                                                                settings):
    client.force_login(world.organizer)
    response = client.post(reverse("web:event-create"),
                           _form(world, image=with_gps(), image_alt="Le public du forum"))
    assert response.status_code == 302
    event = Event.objects.get(title="Forum avec affiche")
    stored = Image.open(media / event.image.name)
    assert stored.format == "JPEG"
    assert not stored.getexif() and "exif" not in stored.info
    # The photo was taken on its side (EXIF orientation 6): it is stored upright.
    assert stored.size == (600, 800)

    client.logout()
    page = client.get(reverse("web:event", args=[event.slug])).content.decode()
    assert f'<img src="{event.image_url}" alt="Le public du forum">' in page
    assert f'<meta property="og:image" content="{settings.SITE_URL}{event.image_url}">' in page
    served = client.get(event.image_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "immutable" in served["Cache-Control"]
    thumb = Image.open(io.BytesIO(b"".join(client.get(event.thumb_url).streaming_content)))
    assert max(thumb.size) == 480
    assert client.get("/images/evenements/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get(reverse("web:image", args=["secret.txt"])).status_code == 404
    assert client.get(reverse("web:image", args=["0" * 64 + ".jpg"])).status_code == 404


def test_a_transparent_png_is_flattened_and_a_large_photo_resized(client, world, media):
    client.force_login(world.organizer)
    logo = photo("logo.png", (3000, 2000), "RGBA", "PNG")
    client.post(reverse("web:event-create"), _form(world, image=logo))
    event = Event.objects.get(title="Forum avec affiche")
    stored = Image.open(media / event.image.name)
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (1600, 1067))
    assert stored.getpixel((10, 10)) == (255, 255, 255)


def test_organizers_replace_and_remove_the_image_and_others_cannot(client, login, world, media):
    api = login(world.organizer)
    response = api.put(f"/api/v1/events/{world.event.pk}/image/",
                       {"image": photo(), "image_alt": "Affiche"}, format="multipart")
    assert response.status_code == 200
    data = response.json()
    assert data["image_url"].startswith("http") and data["image_alt"] == "Affiche"
    assert data["thumbnail_url"].endswith("-thumb.jpg")

    stranger = login(world.outsider).put(f"/api/v1/events/{world.event.pk}/image/", {"image": photo()},
                                         format="multipart")
    assert stranger.status_code == 403

    client.force_login(world.organizer)
    url = reverse("web:event-edit", args=[world.event.slug])
    assert "Image actuelle" in client.get(url).content.decode()
    removed = api.delete(f"/api/v1/events/{world.event.pk}/image/")
    assert removed.status_code == 200
    assert (removed.json()["image_url"], removed.json()["image_alt"]) == ("", "")


def test_a_valid_image_sent_with_another_mistake_is_asked_again_and_nothing_is_stored(client, world, media):
    client.force_login(world.organizer)
    day = in_days(12)
    response = client.post(reverse("web:event-create"), _form(
        world, image=photo(), ends_at=day.strftime("%Y-%m-%dT17:00")))
    html = response.content.decode()
    assert 'id="id_ends_at_error"' in html and 'id="image-again"' in html
    assert not any(media.rglob("*.jpg"))


def test_a_series_shares_one_stored_image_and_its_page_describes_it_to_search_engines(client, world, media,
                                                                                      settings):
    client.force_login(world.organizer)
    response = client.post(reverse("web:event-create"), _form(
        world, image=photo(), image_alt="Affiche", repeat="weekly", repeat_count="3"))
    assert response.status_code == 302
    dates = list(Event.objects.filter(title="Forum avec affiche"))
    assert len(dates) == 3 and len({e.image.name for e in dates}) == 1
    assert sorted(p.name.endswith("-thumb.jpg") for p in media.rglob("*.jpg")) == [False, True]
    client.logout()
    page = client.get(reverse("web:event", args=[dates[0].slug])).content.decode()
    structured = json.loads(page.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert structured["image"] == [settings.SITE_URL + dates[0].image_url]


def test_images_no_event_uses_are_deleted_a_day_later_and_used_ones_kept(login, world, media):
    from datetime import timedelta

    from django.utils import timezone

    from events.images import unused_delete
    from events.tasks import delete_unused_images

    api = login(world.organizer)
    url = f"/api/v1/events/{world.event.pk}/image/"
    api.put(url, {"image": photo()}, format="multipart")
    first = Event.objects.get(pk=world.event.pk).image.name
    api.put(url, {"image": photo(size=(900, 600))}, format="multipart")
    current = Event.objects.get(pk=world.event.pk).image.name
    assert first != current and len(list(media.rglob("*.jpg"))) == 4

    assert delete_unused_images() == 0  # the replaced image is kept for a day
    assert unused_delete(now=timezone.now() + timedelta(days=2)) == 2
    assert sorted(p.name for p in media.rglob("*.jpg")) == sorted(
        [current.rpartition("/")[2], current.rpartition("/")[2].replace(".jpg", "-thumb.jpg")])
    assert unused_delete(now=timezone.now() + timedelta(days=2)) == 0
