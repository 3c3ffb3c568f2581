from typing import Any

from django.core.management.base import BaseCommand

from civiquest.instruction.export_jobs import export_jobs_purge


class Command(BaseCommand):
    help = "Delete the agents' quest exports past their lifetime, with their files (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = export_jobs_purge()
        self.stdout.write(f"{count} export(s) deleted.")
