from typing import Any

from django.core.management.base import BaseCommand

from civiquest.notifications.digest import weekly_digest_send


class Command(BaseCommand):
    help = "Email each opted-in citizen the digest of their unread notifications of the week (once per ISO week)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = weekly_digest_send()
        self.stdout.write(f"{sent} digest(s) sent")
