from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civiquest.accounts.models import Role, User
from civiquest.progress.badges import BADGES, badges_evaluate


class Command(BaseCommand):
    help = "Evaluate every badge rule for every citizen and award what is due. Idempotent: run it twice, same rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", type=int, action="append", help="only this user id (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        citizens = User.objects.filter(role=Role.CITIZEN, is_active=True).order_by("pk")
        if options["user"]:
            citizens = citizens.filter(pk__in=options["user"])
        awarded = 0
        # Every badge named, so the rules that cost a query of their own (helpful entraide
        # answers) are evaluated too; a plain evaluation leaves them to their own events.
        every_badge = [badge.code for badge in BADGES]
        for citizen in citizens.iterator(chunk_size=500):
            awarded += len(badges_evaluate(citizen=citizen, codes=every_badge))
        self.stdout.write(f"{awarded} badge(s) awarded")
