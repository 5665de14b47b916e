from django.urls import path

from web import coworking, organizing, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("agenda/", views.agenda, name="agenda"),
    path("evenements/<slug:slug>/", views.event_detail, name="event"),
    path("evenements/<slug:slug>/inscription/", views.event_register, name="event-register"),
    path("evenements/<slug:slug>/desinscription/", views.event_unregister, name="event-unregister"),
    path("evenements/<slug:slug>/modifier/", organizing.event_edit, name="event-edit"),
    path("evenements/<slug:slug>/annuler/", organizing.event_cancel, name="event-cancel"),
    path("evenements/<slug:slug>/inscriptions/", organizing.event_registrations,
         name="event-registrations"),
    path("inscriptions/<str:token>/", views.registration_by_link, name="registration"),
    path("campagnes/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("structures/<slug:slug>/", views.organization_detail, name="organization"),
    path("mon-agenda/", views.my_calendar, name="my-calendar"),
    path("mes-evenements/", organizing.my_events, name="my-events"),
    path("mes-evenements/nouveau/", organizing.event_create, name="event-create"),
    path("mes-evenements/series/<int:pk>/", organizing.series_edit, name="series"),
    path("moderation/", organizing.moderation_queue, name="moderation"),
    path("moderation/<slug:slug>/", organizing.moderate, name="moderate"),
    path("espaces/", views.spaces, name="spaces"),
    path("espaces/<slug:slug>/accueil/", coworking.desk, name="desk"),
    path("espaces/<slug:slug>/accueil/depart/<int:checkin_id>/", coworking.desk_checkout,
         name="desk-checkout"),
    path("pointage/", coworking.desk_choice, name="desk-choice"),
    path("mon-pass/", coworking.my_pass, name="my-pass"),
    path("connexion/", views.SignInView.as_view(), name="signin"),
    path("deconnexion/", views.SignOutView.as_view(), name="signout"),
]
