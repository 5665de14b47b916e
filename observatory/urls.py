from django.urls import path

from observatory import campaign_views, cooperation_views, flows_views

app_name = "observatory"

urlpatterns: list = [
    path("reseaux/<slug:network>/flux/", flows_views.flows_page, name="flows"),
    path("reseaux/<slug:network>/flux/recalculer/", flows_views.flows_refresh, name="flows-refresh"),
    path("reseaux/<slug:network>/flux/publication/", flows_views.flows_publish, name="flows-publish"),
    path("observatoire/", cooperation_views.cooperation_page, name="cooperation"),
    path("campagnes/<slug:slug>/chiffres/", campaign_views.campaign_figures, name="campaign-figures"),
    path("campagnes/<slug:slug>/chiffres/territoire/", campaign_views.campaign_territory_figures,
         name="campaign-territory-figures"),
    path("campagnes/<slug:slug>/chiffres/territoire/recalculer/", campaign_views.campaign_figures_refresh,
         name="campaign-figures-refresh"),
    path("campagnes/<slug:slug>/bilan/", campaign_views.campaign_report, name="campaign-report"),
]
