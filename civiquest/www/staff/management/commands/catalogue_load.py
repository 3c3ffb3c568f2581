"""``manage.py catalogue_load``: here, above the use cases, as loading also refreshes the assistant.

(In the catalogue app, it would make the catalogue import the use cases that import it.)
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from civiquest.actions.catalogue import catalogue_load
from civiquest.catalogue.definitions.loader import CatalogueInvalid

ACTIONS = {
    "created": "created, revision {number} published",
    "republished": "changed, revision {number} published (open quests stay on theirs)",
    "updated": "description updated, revision {number} unchanged",
    "unchanged": "unchanged (revision {number})",
    "closed": "closed, left alone",
}


class Command(BaseCommand):
    help = "Load CiviQuest's catalogue of procedures (idempotent): create, or publish a new revision of what changed."

    def handle(self, *args: object, **options: object) -> None:
        try:
            results = catalogue_load()
        except CatalogueInvalid as error:
            raise CommandError(f"{error}\nNothing was loaded.") from error
        for result in results:
            self.stdout.write(f"  {result.slug}: {ACTIONS[result.action].format(number=result.revision_number)}")
        counts = Counter(result.action for result in results)
        summary = ", ".join(f"{counts[action]} {action}" for action in ACTIONS if counts[action])
        self.stdout.write(self.style.SUCCESS(f"Catalogue: {len(results)} procedures ({summary})."))
