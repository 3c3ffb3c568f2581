from django.urls import path

from civiquest.www.agent import views

app_name = "agent"

urlpatterns = [
    path("", views.home, name="home"),
]
