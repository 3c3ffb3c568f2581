from django.apps import AppConfig

from civiquest.core.citizen_cache import invalidate_citizen_on_change


class AppointmentsConfig(AppConfig):
    """Appointments at a mairie: meeting points, slots, booking, management tokens, ANTS editor endpoints."""

    name = "civiquest.appointments"
    label = "appointments"
    verbose_name = "Rendez-vous"

    def ready(self) -> None:
        from civiquest.appointments.models import Appointment  # noqa: PLC0415 - models load after the app registry

        # ``selectors.has_booked_appointment`` is cached until the citizen books: core.citizen_cache.
        invalidate_citizen_on_change(Appointment, lambda appointment: appointment.citizen_id)
