"""Celery tasks of appointments: registering them with ANTS again, withdrawing the cancelled ones."""

from celery import shared_task

from civiquest.appointments import notices
from civiquest.appointments import services as booking


@shared_task(name="passport.appointments_coordination_sync", ignore_result=True)
def appointments_coordination_sync() -> tuple[int, int]:
    """Register with ANTS the appointments it has not heard of, withdraw the cancelled ones (idempotent)."""
    return booking.coordination_sync()


@shared_task(name="passport.appointment_register", ignore_result=True)
def appointment_register(appointment_id: int) -> bool:
    """One appointment's registration, again (idempotent: nothing is sent once it is registered)."""
    return booking.appointment_register(appointment_id=appointment_id)


@shared_task(name="passport.appointment_email_send", ignore_result=True)
def appointment_email_send(notification_id: int, appointment_id: int) -> bool:
    """An appointment's e-mail with its .ics (idempotent: stamped once sent)."""
    return notices.appointment_email_send(notification_id, appointment_id)


@shared_task(name="passport.appointments_remind", ignore_result=True)
def appointments_remind() -> int:
    """Remind the appointments of the next 48 h (also ``manage.py appointments_remind``); keyed, idempotent."""
    return notices.reminders_send()
