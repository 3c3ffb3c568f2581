"""Celery tasks of the passport integration: retrying ANTS, and warning of expiring titles."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="passport.appointments_coordination_sync", ignore_result=True)
def appointments_coordination_sync() -> tuple[int, int]:
    """Register with ANTS the appointments it has not heard of, withdraw the cancelled ones (idempotent)."""
    from civiquest.integrations.passport.booking import coordination_sync

    return coordination_sync()


@shared_task(name="passport.appointment_register", ignore_result=True)
def appointment_register(appointment_id: int) -> bool:
    """One appointment's registration, again (idempotent: nothing is sent once it is registered)."""
    from civiquest.integrations.passport.booking import appointment_register as register

    return register(appointment_id=appointment_id)


@shared_task(name="passport.titles_expiry_notify", ignore_result=True, autoretry_for=(OSError,), retry_backoff=60)
def titles_expiry_notify() -> int:
    """The daily notice of passports and identity cards expiring in 6 months or 1 month (idempotent)."""
    from civiquest.integrations.passport.expiry import expiry_notify

    return expiry_notify(today=timezone.localdate())
