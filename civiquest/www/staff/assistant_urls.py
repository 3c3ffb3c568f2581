from django.urls import path

from civiquest.www.staff import assistant_views

urlpatterns = [
    path("assistant/", assistant_views.assistant_stats_view, name="assistant-stats"),
]
