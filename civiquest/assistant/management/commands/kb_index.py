"""Refresh the catalogue's procedures in the knowledge base and rebuild the retrieval index."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civiquest.assistant import services
from civiquest.assistant.retrieval import build_index


class Command(BaseCommand):
    help = "Mirror the published procedures into the knowledge base and rebuild the on-disk retrieval index."

    def add_arguments(self, parser: CommandParser) -> None:
        embeddings = parser.add_mutually_exclusive_group()
        embeddings.add_argument("--embeddings", dest="embeddings", action="store_true", default=None)
        embeddings.add_argument("--no-embeddings", dest="embeddings", action="store_false")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = services.catalogue_refresh()
        self.stdout.write(
            f"procedures: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.deleted} deleted"
        )
        build = build_index(embeddings=options["embeddings"])
        self.stdout.write(f"index rebuilt in {time.monotonic() - started:.1f} s: {build}")
