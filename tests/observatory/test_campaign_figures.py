"""A campaign's figures against counts made by hand on a small campaign (see campaign_fixtures)."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import Campaign
from observatory import snapshots
from observatory.campaign import KIND, TERRITORIES_KEPT, daily_keys, territory_key
from observatory.disclosure import HIDDEN
from tests.events.factories import CampaignFactory
from tests.observatory import campaign_fixtures
from tests.observatory.campaign_fixtures import rows, table

pytestmark = pytest.mark.django_db

edition, computed = campaign_fixtures.edition, campaign_fixtures.computed


def test_public_figures_count_approved_published_events_by_region_department_theme_format_and_week(computed):
    assert rows(computed, "regions") == {"Hauts-de-France": [3, 2, 2], "Pays de la Loire": [1, 0, 0]}
    assert rows(computed, "departements") == {"Nord (59)": [1, 1], "Pas-de-Calais (62)": [1, 1],
                                              "Sarthe (72)": [1, 0], "Somme (80)": [1, 0]}
    assert rows(computed, "themes") == {"Coopération": [2, 0], "Emploi": [2, 0], "Sans thème": [1, 2]}
    assert rows(computed, "formats") == {"Atelier": [2, 1], "Forum": [1, 1], "Conférence-débat": [1, 0]}
    assert rows(computed, "semaines") == {"Semaine 1 (1 nov – 7 nov)": [1, 1],
                                          "Semaine 2 (8 nov – 14 nov)": [2, 1],
                                          "Semaine 3 (15 nov – 21 nov)": [1, 0]}
    summary = rows(computed, "chiffres-cles")
    assert summary["Événements"] == [4, 2, "+2"]
    assert summary["Part d'événements co-organisés (%)"] == [50, 0, "+50"]
    assert summary["Régions"][:2] == [2, 1] and summary["Départements"][:2] == [4, 2]


def test_organizations_there_for_the_first_time_had_no_public_event_in_an_earlier_campaign(computed):
    summary = rows(computed, "chiffres-cles")
    # APES, the SCOP (lead and co-organizer), the Mairie (lead and co-organizer), La Nouvelle,
    # whose refused event of 2025 was no taking part.
    assert summary["Structures organisatrices"] == [4, 2, "+2"]
    assert summary["dont pour la première fois"][0] == 2
    assert rows(computed, "structures") == {"Association": [2, 1, 1], "Collectivité": [1, 1, 0],
                                            "Coopérative (SCOP)": [1, 0, 1]}


def test_registrations_attendance_and_rates_count_people_with_small_counts_shown_as_less_than_five(computed):
    summary = rows(computed, "chiffres-cles")
    assert summary["Inscriptions confirmées"][0] == 11
    assert summary["Places offertes"][0] == 30
    assert summary["Taux de remplissage (%)"][0] == 37  # 11 confirmed for 30 seats
    assert summary["Événements où l'entrée a été pointée"][0] == 1
    assert summary["Présences pointées"][0] == 6
    assert summary["Taux de présence (%)"][0] == 75  # 6 of the 8 confirmed where the door counted
    # The 2025 edition had no registration: zero is shown, there is nobody behind it.
    assert summary["Inscriptions confirmées"][1] == 0
    # Hauts-de-France: 30 seats, 11 confirmed, 2 waitlisted (shown "< 5"); the Pays de la Loire
    # offered no seat and had no registration.
    assert rows(computed, "inscriptions") == {"Hauts-de-France": [30, 11, HIDDEN, 37, 1, 6, 75]}


def test_charts_are_svg_images_without_script(computed):
    charts = computed.data["fr"]["charts"]
    assert set(charts) == {"regions", "departements", "themes", "formats", "semaines", "structures",
                           "inscriptions"}
    svg = base64.b64decode(charts["regions"].split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<script" not in svg and "Hauts-de-France" in svg


def test_a_coordinator_territory_counts_drafts_refusals_and_cancellations_there(edition):
    hdf = snapshots.snapshot_refresh(kind=KIND, key=territory_key(edition.campaign, {"Hauts-de-France"}))
    assert rows(hdf, "moderation") == {"Brouillons": [1, 0], "En attente de modération": [1, 0],
                                       "Approuvés": [3, 2], "Refusés": [1, 1], "Annulés": [1, 0]}
    assert rows(hdf, "regions") == {"Hauts-de-France": [7, 2, 3]}
    everywhere = snapshots.snapshot_refresh(kind=KIND, key=territory_key(edition.campaign, None))
    assert rows(everywhere, "chiffres-cles")["Événements"] == [8, 3, "+5"]
    assert hdf.data["fr"]["territory"] == ["Hauts-de-France"] and everywhere.data["fr"]["territory"] == "*"


def test_a_campaign_without_previous_edition_shows_its_own_figures_only(edition):
    edition.campaign.previous_edition = None
    edition.campaign.save()
    snapshot = snapshots.snapshot_refresh(kind=KIND, key=edition.campaign.slug)
    assert table(snapshot, "regions")["headers"] == ["Région", "Mois de l'ESS 2026", "dont co-organisés"]
    assert snapshot.data["fr"]["previous_edition"] is None


def test_the_previous_edition_must_start_before_the_campaign(edition):
    later = CampaignFactory(starts_on=date(2027, 11, 1), ends_on=date(2027, 11, 30))
    edition.campaign.previous_edition = later
    with pytest.raises(ValidationError) as refused:
        edition.campaign.full_clean()
    assert "previous_edition" in refused.value.message_dict
    edition.campaign.previous_edition = edition.campaign
    with pytest.raises(ValidationError):
        edition.campaign.full_clean()


def test_the_daily_run_refreshes_every_campaign_and_the_territories_coordinators_looked_at(edition):
    def ended(days_ago):
        end = timezone.localdate() - days_ago
        Campaign.objects.filter(pk=edition.campaign.pk).update(starts_on=end - timedelta(days=29),
                                                               ends_on=end)

    ended(TERRITORIES_KEPT)
    for campaign in (edition.campaign, edition.campaign.previous_edition):
        snapshots.snapshot_refresh(kind=KIND, key=territory_key(campaign, {"Hauts-de-France"}))
    assert daily_keys() == ["mois-ess-2025", "mois-ess-2026", "mois-ess-2026:Hauts-de-France"]
    ended(TERRITORIES_KEPT + timedelta(days=1))
    assert daily_keys() == ["mois-ess-2025", "mois-ess-2026"], "a territory is computed on its next visit"
