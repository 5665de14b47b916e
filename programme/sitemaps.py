"""The sitemap of public pages (``/sitemap.xml``): the agenda, events, campaigns, organizations."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from events.models import Campaign, Event
from events.selectors import events_visible_to
from network.models import Organization


class SiteSitemap(Sitemap):
    """Addresses on the public site (``SITE_URL``), whatever host the request came through."""

    protocol = urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(SiteSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return ["web:home", "web:agenda", "web:spaces", "programme:map"]

    def location(self, item: str) -> str:
        return reverse(item)


class EventsSitemap(SiteSitemap):
    """Every published or cancelled event (drafts are no one's public page)."""

    changefreq = "weekly"
    limit = 10_000

    def items(self) -> QuerySet[Event]:
        return events_visible_to(None).only("slug", "updated_at").order_by("starts_at", "id")

    def lastmod(self, item: Event):
        return item.updated_at


class CampaignsSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self) -> QuerySet[Campaign]:
        return Campaign.objects.only("slug", "updated_at").order_by("-starts_on", "id")

    def location(self, item: Campaign) -> str:
        return reverse("web:campaign", args=[item.slug])

    def lastmod(self, item: Campaign):
        return item.updated_at


class OrganizationsSitemap(SiteSitemap):
    """Organizations that lead at least one public event."""

    changefreq = "weekly"

    def items(self) -> QuerySet[Organization]:
        return (Organization.objects.filter(lead_events__in=events_visible_to(None))
                .annotate(last_event=Max("lead_events__updated_at")).only("slug").order_by("slug"))

    def location(self, item: Organization) -> str:
        return reverse("web:organization", args=[item.slug])

    def lastmod(self, item: Organization):
        return item.last_event  # type: ignore[attr-defined]


SITEMAPS = {"pages": PagesSitemap, "events": EventsSitemap, "campaigns": CampaignsSitemap,
            "organizations": OrganizationsSitemap}
