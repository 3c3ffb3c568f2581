from typing import Any

from django.core.management.base import BaseCommand

from civiquest.instruction.deadlines import deadlines_warn


class Command(BaseCommand):
    help = "Warn agents of the quests whose legal deadline falls within the next days (idempotent per day)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None, help="Horizon in days (default: the setting, 3).")

    def handle(self, *args: Any, **options: Any) -> None:
        count = deadlines_warn(within_days=options["days"])
        self.stdout.write(f"{count} warning(s) written.")
