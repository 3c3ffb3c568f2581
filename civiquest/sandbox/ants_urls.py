"""The ANTS coordination API sandbox, appended to ``civiquest.sandbox.urls`` (under ``/sandbox/ants/api/``)."""

from django.urls import URLPattern, path

from civiquest.sandbox import ants

urlpatterns: list[URLPattern] = [
    path("ants/api/status", ants.status, name="ants-status"),
    path("ants/api/appointments", ants.appointments, name="ants-appointments"),
]
