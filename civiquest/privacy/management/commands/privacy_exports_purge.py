from typing import Any

from django.core.management.base import BaseCommand

from civiquest.privacy.services import data_exports_purge


class Command(BaseCommand):
    help = "Delete the citizens' data exports past their 24 hours, with their files."

    def handle(self, *args: Any, **options: Any) -> None:
        count = data_exports_purge()
        self.stdout.write(f"{count} export(s) deleted.")
