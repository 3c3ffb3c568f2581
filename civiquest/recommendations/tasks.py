"""Celery tasks of the recommendations: reminders before deadlines, the nightly similarity rebuild."""

from celery import shared_task

from civiquest.core.dates import paris_today
from civiquest.recommendations import notices, similar


@shared_task(name="recommendations.deadlines_notify", ignore_result=True, autoretry_for=(OSError,), retry_backoff=60)
def deadlines_notify() -> int:
    """Reminders 7 days and 1 day before each recommendation's deadline (idempotent)."""
    return notices.deadlines_notify(today=paris_today())


@shared_task(name="recommendations.similar_rebuild", ignore_result=True)
def similar_rebuild() -> int:
    """Rebuild the procedure pairs from completed quests; returns how many pairs are kept."""
    return len(similar.rebuild().pairs)
