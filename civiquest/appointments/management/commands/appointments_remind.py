from typing import Any

from django.core.management.base import BaseCommand

from civiquest.appointments import notices


class Command(BaseCommand):
    help = "Remind citizens of their appointments in the next 48 hours (idempotent; also a Celery beat job)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = notices.reminders_send()
        self.stdout.write(f"{count} appointment(s) reminded (already reminded ones are skipped).")
