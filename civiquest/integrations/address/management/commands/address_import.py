"""``manage.py address_import FILE``: load a BAN addok NDJSON export (.ndjson[.gz]) into the local geocoder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civiquest.integrations.address import importer


class Command(BaseCommand):
    help = "Import a BAN addok NDJSON file (adresses-addok-<dept>.ndjson[.gz]) into the embedded local geocoder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to a .ndjson or .ndjson.gz file in the addok format")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.perf_counter()
        try:
            report = importer.import_file(path)
        except (OSError, EOFError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{path.name}: {report.summary()} ({elapsed:.1f} s)")
