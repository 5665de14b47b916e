"""CSV programmes: the French template, bad rows named by line and column, re-uploads that update."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from events.models import Event, EventStatus, Theme
from imports import services
from imports.programme import COLUMNS, template_rows
from imports.reading import SourceUnreadable

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def day(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).strftime("%d/%m/%Y")


def at(n: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=n), time(hour, minute), PARIS)


HEADER = "titre;description;début;fin;lieu;adresse;code INSEE ou commune;format;thèmes;lien;tarif;public"


def programme(*rows: str, header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join([header, *rows]).encode(encoding)


@pytest.fixture
def circular(db):
    """One of the themes every installation starts with."""
    return Theme.objects.get(slug="economie-circulaire")


def upload(add_source, data: bytes, **options):
    source = add_source(kind="csv", upload=data, upload_name="programme.csv", **options)
    return source, services.source_sync(source_id=source.pk)


def imported(source) -> dict[str, Event]:
    return {e.title: e for e in Event.objects.filter(import_item__source=source)}


def test_the_template_names_the_documented_french_columns():
    header, rows = template_rows()
    assert header == ["titre", "description", "début", "fin", "lieu", "adresse", "code INSEE ou commune",
                      "format", "thèmes", "lien", "tarif", "public", "clé"]
    assert [name for name, _help in COLUMNS] == header and all(len(row) == len(header) for row in rows)


def test_a_programme_becomes_events_with_every_column_read(add_source, circular):
    source, report = upload(add_source, programme(
        f"Café habitat;Deux coopératives.;{day(10)} 18:30;{day(10)} 20:30;Maison de l'ESS;5 place de la "
        f"République;59350;Café métiers;economie circulaire;https://exemple.org/i;Gratuit;Tout public",
        f"Portes ouvertes;;{day(12)};;La Ressourcerie;12 rue du Port;Roubaix;visite;;;;"))

    assert (report.found, report.created, report.ignored) == (2, 2, [])
    cafe = imported(source)["Café habitat"]
    assert (cafe.starts_at, cafe.ends_at) == (at(10, 18, 30), at(10, 20, 30))
    assert (cafe.address, cafe.commune_insee, cafe.format) == ("Maison de l'ESS, 5 place de la République",
                                                               "59350", "cafe_metiers")
    assert (cafe.online_url, cafe.price_text, cafe.audience) == ("https://exemple.org/i", "Gratuit",
                                                                 "Tout public")
    assert list(cafe.themes.all()) == [circular]
    doors = imported(source)["Portes ouvertes"]
    assert doors.all_day and (doors.starts_at, doors.ends_at) == (at(12, 0), at(13, 0))
    assert (doors.address, doors.format) == ("La Ressourcerie, 12 rue du Port, Roubaix", "visite")


def test_the_preview_names_each_bad_row_and_column_and_imports_the_others(apes, circular):
    data = programme(
        f"Bon;;{day(10)} 18:30;;;;;;;;;",
        "Date fausse;;31/13/2026 18:30;;;;;;;;;",
        f"Format inconnu;;{day(10)} 18:30;;;;;Apéro;;;;",
        f"Thème inconnu;;{day(10)} 18:30;;;;;;Cuisine;;;",
        f"Lien faux;;{day(10)} 18:30;;;;;;;ftp://x;;",
        f";;{day(10)} 18:30;;;;;;;;;",
        f"À l'envers;;{day(10)} 18:30;{day(10)} 17:00;;;;;;;;",
    )

    report = services.source_preview(actor=apes.organizer, organization=apes.organization, name="Programme",
                                     kind="csv", upload=data, upload_name="programme.csv")

    assert (report.found, report.created) == (7, 1)
    reasons = [i["reason"] for i in report.ignored]
    assert reasons[2].startswith("ligne 5, colonne « thèmes » : thème inconnu « Cuisine » (thèmes : ")
    assert "Économie circulaire" in reasons[2]
    assert reasons[:2] + reasons[3:] == [
        "ligne 3, colonne « début » : date illisible « 31/13/2026 18:30 » (JJ/MM/AAAA HH:MM)",
        "ligne 4, colonne « format » : format inconnu « Apéro » (Atelier, Forum, Café métiers…)",
        "ligne 6, colonne « lien » : adresse web invalide « ftp://x » (https://…)",
        "ligne 7, colonne « titre » : le titre est obligatoire",
        "ligne 8, colonne « fin » : la fin doit suivre le début",
    ]
    assert not Event.objects.exists()


def test_a_new_upload_of_a_programme_with_a_key_column_updates_rather_than_duplicates(add_source, apes):
    header = HEADER + ";clé"
    source, _report = upload(add_source, programme(f"Forum;;{day(10)} 10:00;{day(10)} 17:00;;;;;;;;;forum",
                                                   f"Atelier;;{day(11)} 10:00;;;;;;;;;;atelier",
                                                   header=header))
    forum = imported(source)["Forum"]

    services.source_upload(actor=apes.organizer, source=source, upload=programme(
        f"Forum de l'emploi;;{day(10)} 14:00;{day(10)} 18:00;;;;;;;;;forum", header=header))
    report = services.source_sync(source_id=source.pk)

    assert (report.created, report.updated, report.cancelled) == (0, 1, 1)
    moved = Event.objects.get(pk=forum.pk)
    assert (moved.title, moved.starts_at) == ("Forum de l'emploi", at(10, 14))
    assert moved.sequence == forum.sequence + 1
    assert Event.objects.get(title="Atelier").status == EventStatus.CANCELLED


def test_without_a_key_a_row_is_known_by_its_title_and_start(add_source, apes):
    source, _report = upload(add_source, programme(f"Forum;Texte;{day(10)} 10:00;;;;;;;;;"))

    services.source_upload(actor=apes.organizer, source=source,
                           upload=programme(f"Forum;Texte revu;{day(10)} 10:00;;;;;;;;;"))
    report = services.source_sync(source_id=source.pk)

    assert (report.created, report.updated) == (0, 1)
    assert Event.objects.get().description == "Texte revu"


def test_a_spreadsheet_export_in_windows_1252_with_commas_is_read(add_source):
    source, report = upload(add_source, programme(f"Café,Une soirée,{day(10)} 18:30,,,,,,,,,",
                                                  header=HEADER.replace(";", ","), encoding="cp1252"))
    assert report.created == 1 and imported(source)["Café"].description == "Une soirée"


def test_a_row_protected_against_formulas_is_read_as_typed(add_source):
    source, _report = upload(add_source, programme(f"'=Atelier;;{day(10)} 18:30;;;;;;;;;"))
    assert "=Atelier" in imported(source)


def test_a_programme_without_its_required_columns_is_refused_naming_the_column(apes):
    with pytest.raises(SourceUnreadable, match="« début »"):
        services.source_preview(actor=apes.organizer, organization=apes.organization, name="x", kind="csv",
                                upload=programme(f"Forum;{day(10)}", header="titre;date"),
                                upload_name="x.csv")


def test_past_rows_are_left_out_and_said_so(add_source):
    _source, report = upload(add_source, programme(f"Hier;;{day(-2)} 10:00;;;;;;;;;"))
    assert report.created == 0
    assert [i["reason"] for i in report.ignored] == ["ligne 2 : déjà passé ou dans plus d'un an"]
