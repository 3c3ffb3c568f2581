"""The editor endpoints ANTS calls: ``/api/ants/<endpoint>``."""

from django.urls import URLPattern

app_name = "ants"

urlpatterns: list[URLPattern] = []
