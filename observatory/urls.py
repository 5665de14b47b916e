from django.urls import path

from observatory import cooperation_views, flows_views

app_name = "observatory"

urlpatterns: list = [
    path("reseaux/<slug:network>/flux/", flows_views.flows_page, name="flows"),
    path("reseaux/<slug:network>/flux/recalculer/", flows_views.flows_refresh, name="flows-refresh"),
    path("reseaux/<slug:network>/flux/publication/", flows_views.flows_publish, name="flows-publish"),
    path("observatoire/", cooperation_views.cooperation_page, name="cooperation"),
]
