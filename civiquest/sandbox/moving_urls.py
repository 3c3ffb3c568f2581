"""Sandbox routes appended to ``civiquest.sandbox.urls``."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
