from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend.api import FormatParameterNegotiation
from backend.health import healthz
from feeds.api import private_feed
from observatory.api_campaign import campaign_figures
from observatory.cooperation_api import cooperation_snapshot
from observatory.flows_api import FlowsView
from programme.sitemaps import SITEMAPS
from programme.syndication import CampaignNewEvents, CampaignNewEventsAtom

# Check-ins first: a desk or a kiosk posts one on every scan, and routes are tried in order.
api_v1: list[URLPattern | URLResolver] = [
    path("", include("passes.urls")),
    path("", include("network.urls")),
    path("", include("accounts.urls")),
    path("", include("spaces.urls")),
    path("", include("events.urls")),
    path("", include("imports.urls")),
    path("me/private-feed/", private_feed, name="private-feed"),
    path("networks/<slug:slug>/flows/", FlowsView.as_view(), name="network-flows"),
    path("observatory/cooperation/", cooperation_snapshot, name="observatory-cooperation"),
    path("campaigns/<slug:slug>/figures/", campaign_figures, name="campaign-figures"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("feeds/campaigns/<slug:slug>.rss", CampaignNewEvents(), name="campaign-rss"),
    path("feeds/campaigns/<slug:slug>.atom", CampaignNewEventsAtom(), name="campaign-atom"),
    path("feeds/", include("feeds.urls")),
    # An index of sections, each paged by 10,000 addresses: a national agenda holds far more events.
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
         name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap, {"sitemaps": SITEMAPS}, name="sitemap-section"),
    path("api/v1/", include(api_v1)),
    path("notifications/", include("worker.urls")),
    path("api/schema/", SpectacularAPIView.as_view(content_negotiation_class=FormatParameterNegotiation),
         name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("programme.urls")),
    path("", include("observatory.urls")),
    path("", include("web.urls")),
]

handler404 = "backend.errors.not_found"
handler500 = "backend.errors.server_error"
