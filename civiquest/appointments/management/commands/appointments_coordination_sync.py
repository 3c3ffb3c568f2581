from typing import Any

from django.core.management.base import BaseCommand

from civiquest.appointments.services import coordination_sync


class Command(BaseCommand):
    help = "Register with ANTS the appointments it has not heard of and withdraw the cancelled ones (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        registered, deleted = coordination_sync()
        self.stdout.write(f"{registered} appointment(s) registered, {deleted} withdrawn.")
