from django.urls import URLPattern, path

from civiquest.www.citizen import progress_views

urlpatterns: list[URLPattern] = [
    path("mon-espace/progression/", progress_views.progress, name="progress"),
]
