from django.urls import path

from worker import views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications-unsubscribe"),
]
