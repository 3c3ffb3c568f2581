from typing import Any

from django.core.management.base import BaseCommand, CommandError

from civiquest.recommendations.rules import RulesInvalid, rules_load


class Command(BaseCommand):
    help = "Load the recommendation rules of civiquest/recommendations/data/rules.yaml (staff-changed rules are kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = rules_load()
        except RulesInvalid as error:
            raise CommandError("\n".join(error.problems)) from error
        self.stdout.write(
            f"recommendation rules: {result.created} created, {result.updated} updated, "
            f"{result.kept} changed by staff and kept"
        )
