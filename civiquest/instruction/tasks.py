from celery import shared_task

from civiquest.instruction import deadlines


@shared_task(name="procedures.deadlines_warn", ignore_result=True, autoretry_for=(OSError,), retry_backoff=60)
def deadlines_warn() -> int:
    """The daily warning of quests due soon (also ``manage.py deadlines_warn``); idempotent per day."""
    return deadlines.deadlines_warn()
