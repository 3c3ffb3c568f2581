from typing import Any

from django.core.management.base import BaseCommand

from civiquest.accounts.api_tokens import token_uses_purge


class Command(BaseCommand):
    help = "Delete the API tokens' use log past API_TOKEN_USE_RETENTION_DAYS (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = token_uses_purge()
        self.stdout.write(f"{count} use(s) of API tokens deleted.")
