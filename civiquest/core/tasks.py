from celery import shared_task
from django.core.management import call_command


@shared_task(name="core.sessions_clear_expired", ignore_result=True)
def sessions_clear_expired() -> None:
    """Delete expired sessions from the database (daily; idempotent)."""
    call_command("clearsessions")
