import time
from typing import Any

from django.core.management.base import BaseCommand

from civiquest.recommendations.similar import rebuild


class Command(BaseCommand):
    help = "Rebuild the pairs of procedures completed by the same citizens (at least 20 of them)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        model = rebuild()
        self.stdout.write(
            f"{len(model.pairs)} pair(s), {len(model.popularity)} procedure(s), {time.perf_counter() - started:.1f} s"
        )
