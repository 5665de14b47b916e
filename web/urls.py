from django.urls import path

from web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("espaces/", views.spaces, name="spaces"),
    path("connexion/", views.SignInView.as_view(), name="signin"),
    path("deconnexion/", views.SignOutView.as_view(), name="signout"),
]
