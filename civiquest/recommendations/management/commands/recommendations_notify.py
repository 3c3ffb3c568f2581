from typing import Any

from django.core.management.base import BaseCommand

from civiquest.core.dates import paris_today
from civiquest.recommendations.notices import deadlines_notify


class Command(BaseCommand):
    help = "Remind citizens 7 days and 1 day before a recommendation's deadline (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{deadlines_notify(today=paris_today())} reminder(s) due today.")
