"""Evaluate the recommenders offline on seeded synthetic journeys (``civiquest.recommendations.evaluation``).

Popularity, rules only, similar citizens only (CF) and the hybrid the product serves, side by
side: HitRate@5, NDCG@5, MAP@5 and coverage, time-ordered leave-last-out. No database.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from civiquest.recommendations import evaluation
from civiquest.recommendations.similar import DEFAULT_MIN_CITIZENS


class Command(BaseCommand):
    help = (
        "Evaluate the recommendations on seeded synthetic journeys (time-ordered leave-last-out): HitRate@5, "
        "NDCG@5, MAP@5 and coverage of popularity, rules only, CF only and the hybrid, side by side."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--citizens", type=int, default=5000, help="Synthetic citizens (default 5000).")
        parser.add_argument("--seed", type=int, default=18, help="The generator's seed (default 18).")
        parser.add_argument(
            "--minimum",
            type=int,
            default=DEFAULT_MIN_CITIZENS,
            help=f"Citizens a pair needs to be kept by the CF model (default the product's, {DEFAULT_MIN_CITIZENS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["citizens"] < 1 or options["minimum"] < 1:
            raise CommandError("--citizens and --minimum must be positive.")
        started = time.perf_counter()
        with translation.override("fr"):
            report = evaluation.evaluate(options["citizens"], seed=options["seed"], minimum=options["minimum"])
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{report.citizens} synthetic citizens (seed {report.seed}), {report.completions} completions; "
            f"{report.cases} journeys with 2 or more evaluated (the last completion held out); "
            f"CF model: {report.pairs} pairs shared by {report.minimum} citizens or more; {seconds:.1f} s\n"
        )
        self.stdout.write(evaluation.table(report))
