"""The editor endpoints ANTS calls: ``/api/ants/<endpoint>`` (the names ANTS uses, camelCase)."""

from django.urls import path

from civiquest.appointments import editor

app_name = "ants"

urlpatterns = [
    path("getManagedMeetingPoints", editor.get_managed_meeting_points, name="managed-meeting-points"),
    path("availableTimeSlots", editor.available_time_slots, name="available-time-slots"),
    path("searchApplicationIds", editor.search_application_ids, name="search-application-ids"),
]
