from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from civiquest.documents.expiry import expiry_notify


class Command(BaseCommand):
    help = "Tell citizens whose passport or identity card expires in 6 months or 1 month (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expiry_notify(today=timezone.localdate())
        self.stdout.write(f"{count} notice(s) written.")
