"""The agent's passport and identity-card appointment pages (included in the agent URLs)."""

from django.urls import path

from civiquest.www.agent import appointment_views as views

urlpatterns = [
    path("rendez-vous/", views.appointments, name="appointments"),
    path(
        "rendez-vous/services/<int:service_id>/nouveau-lieu/",
        views.meeting_point_create,
        name="meeting-point-create",
    ),
    path("rendez-vous/lieux/<int:point_id>/", views.meeting_point, name="meeting-point"),
    path("rendez-vous/lieux/<int:point_id>/modifier/", views.meeting_point_edit, name="meeting-point-edit"),
    path("rendez-vous/lieux/<int:point_id>/publier/", views.slots_publish, name="slots-publish"),
    path("rendez-vous/creneaux/<int:slot_id>/retirer/", views.slot_cancel, name="slot-cancel"),
    path("rendez-vous/<int:appointment_id>/annuler/", views.appointment_cancel, name="appointment-cancel"),
]
