from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    """Appointments at a mairie: meeting points, slots, booking, management tokens, ANTS editor endpoints."""

    name = "civiquest.appointments"
    label = "appointments"
    verbose_name = "Rendez-vous"
