from django.urls import path

from feeds import views

app_name = "feeds"

urlpatterns = [
    path("events.ics", views.events, name="events"),
    path("events/<int:pk>.ics", views.event, name="event"),
    path("organizations/<slug:slug>.ics", views.organization, name="organization"),
    path("campaigns/<slug:slug>.ics", views.campaign, name="campaign"),
    path("spaces/<slug:slug>.ics", views.space, name="space"),
    path("me/<str:token>.ics", views.personal, name="personal"),
]
