"""Celery tasks of appointments: registering them with ANTS again, withdrawing the cancelled ones."""

from celery import shared_task

from civiquest.appointments import services as booking


@shared_task(name="passport.appointments_coordination_sync", ignore_result=True)
def appointments_coordination_sync() -> tuple[int, int]:
    """Register with ANTS the appointments it has not heard of, withdraw the cancelled ones (idempotent)."""
    return booking.coordination_sync()


@shared_task(name="passport.appointment_register", ignore_result=True)
def appointment_register(appointment_id: int) -> bool:
    """One appointment's registration, again (idempotent: nothing is sent once it is registered)."""
    return booking.appointment_register(appointment_id=appointment_id)
