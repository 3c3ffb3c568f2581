from django.urls import path

from civiquest.www.citizen import views

app_name = "citizen"

urlpatterns = [
    path("", views.home, name="home"),
    path("mon-espace/", views.dashboard, name="dashboard"),
    path("mon-espace/profil/", views.profile, name="profile"),
]
