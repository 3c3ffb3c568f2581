from django.conf import settings
from django.core.management.base import BaseCommand

from civiquest.assistant.conversations.services import history_purge


class Command(BaseCommand):
    help = (
        "Delete the assistant's messages and conversations older than ASSISTANT_HISTORY_RETENTION_DAYS (idempotent)."
    )

    def handle(self, *args: object, **options: object) -> None:
        result = history_purge()
        days = settings.ASSISTANT_HISTORY_RETENTION_DAYS
        self.stdout.write(
            self.style.SUCCESS(
                f"Assistant history older than {days} days: {result.messages} messages, "
                f"{result.conversations} conversations deleted."
            )
        )
