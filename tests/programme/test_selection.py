"""A selection of the agenda's filters, as the publications write it and name it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from programme.brochure import BrochureSpec
from programme.selectors import Selection, describe
from tests.events.factories import EventFactory, in_days
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

PACA = "Provence-Alpes-Côte d'Azur"
PACA_QUERY = "territory=Provence-Alpes-C%C3%B4te+d%27Azur"


def test_a_selection_is_written_encoded_in_every_link_and_key(client):
    apes = OrganizationFactory(name="APES", slug="apes")
    EventFactory(organization=apes, starts_at=in_days(3), region=PACA, department="13",
                 address="La Friche, 41 rue Jobin, 13003 Marseille")

    html = client.get(reverse("web:agenda"), {"territory": PACA}).content.decode()
    links = [unescape(href) for href in re.findall(r'href="([^"]*)"', html)
             if href.startswith(("/programme", "/integrer", "/carte")) or "brochure" in href]
    json = client.get(reverse("programme:events-json"), {"territory": PACA}).json()

    assert Selection.from_params({"territory": PACA}).query == PACA_QUERY
    assert len(links) >= 4 and all(f"?{PACA_QUERY}" in link for link in links), links
    assert json["agenda_url"].endswith(f"/agenda/?{PACA_QUERY}")
    spec = BrochureSpec(Selection.from_params({"campaign": "mois-ess", "territory": PACA}), "a5", "fr")
    assert BrochureSpec.from_key(spec.key) == spec


def test_a_selection_is_named_with_each_organization_read_once(django_assert_num_queries):
    OrganizationFactory(name="APES", slug="apes")
    unknown_campaign = Selection.from_params({"campaign": "inconnue", "organization": "apes"})

    with django_assert_num_queries(3):  # the campaign, the organization, the theme
        named = describe(unknown_campaign)

    assert named == ("Les événements de APES", "")
