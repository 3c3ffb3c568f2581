from django.urls import path

from civiquest.www.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
]
