from celery import shared_task
from django.core.management import call_command


@shared_task(name="assistant_conversations.history_purge", ignore_result=True)
def history_purge() -> None:
    """Delete the assistant's conversations past their retention (daily; idempotent)."""
    call_command("assistant_history_purge")
