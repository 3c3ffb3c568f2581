from typing import Any

from django.core.management.base import BaseCommand

from civiquest.integrations.address.moving.services import dispatches_refresh


class Command(BaseCommand):
    help = "Ask each organisation where the moving-house declarations it received stand."

    def handle(self, *args: Any, **options: Any) -> None:
        count = dispatches_refresh()
        self.stdout.write(f"{count} dispatch(es) refreshed.")
