from typing import Any

from django.core.management.base import BaseCommand

from civiquest.progress.habits.services import habits_remind


class Command(BaseCommand):
    help = "Remind citizens who opted in of the habits whose period ends soon (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = habits_remind()
        self.stdout.write(f"{count} reminder(s) written.")
