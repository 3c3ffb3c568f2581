from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civiquest.accounts.audit import VERIFY_BATCH_SIZE, audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain in order and recompute every hash. Exit 0 when it holds, "
        "1 naming each broken link (an edited, deleted or inserted event)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=VERIFY_BATCH_SIZE, help="events read per query")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify(batch_size=max(1, options["batch_size"]))
        for broken in report.breaks:
            self.stderr.write(f"sequence {broken.sequence}: {broken.reason}")
        if not report.ok:
            untold = report.broken - len(report.breaks)
            if untold:
                self.stderr.write(f"… and {untold} more broken link(s)")
            raise CommandError(
                f"audit chain broken: {report.broken} broken link(s) in {report.count} event(s)", returncode=1
            )
        self.stdout.write(f"audit chain intact: {report.count} event(s), head {report.head_hash}")
