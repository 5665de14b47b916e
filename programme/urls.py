from django.urls import path

from programme import embed, mapping, printing

app_name = "programme"

urlpatterns = [
    path("integrer/", embed.compose, name="compose"),
    path("integrer/agenda/", embed.embedded_agenda, name="embed"),
    path("integrer/evenements.json", embed.events_json, name="events-json"),
    path("programme/imprimer/", printing.brochure, name="brochure"),
    path("programme/imprimer/preparation/", printing.brochure_wait, name="brochure-wait"),
    path("carte/", mapping.agenda_map, name="map"),
]
