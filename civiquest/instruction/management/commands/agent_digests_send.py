from typing import Any

from django.core.management.base import BaseCommand

from civiquest.instruction.digest import agent_digests_send


class Command(BaseCommand):
    help = "Send the agents' daily digest of the quests new for them (idempotent per day)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = agent_digests_send()
        self.stdout.write(f"{count} digest(s) sent.")
