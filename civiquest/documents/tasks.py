"""Celery tasks of the document wallet: the daily notice of expiring titles."""

from celery import shared_task
from django.utils import timezone

from civiquest.documents import expiry


@shared_task(name="passport.titles_expiry_notify", ignore_result=True, autoretry_for=(OSError,), retry_backoff=60)
def titles_expiry_notify() -> int:
    """The daily notice of passports and identity cards expiring in 6 months or 1 month (idempotent)."""
    return expiry.expiry_notify(today=timezone.localdate())
