from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civiquest.sandbox.keys import rotate_keys
from civiquest.sandbox.providers import PROVIDERS


class Command(BaseCommand):
    help = "Rotate the signing keys of the sandbox FranceConnect and ProConnect providers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", choices=sorted(PROVIDERS), help="only this provider (default: all)")
        parser.add_argument(
            "--drop-previous",
            action="store_true",
            help="withdraw the previous keys from the key set at once (default: keep them for the grace period)",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.SANDBOXES_ENABLED:
            raise CommandError("The sandboxes are off (always in production).")
        provider = options["provider"]
        providers = [str(provider)] if provider else sorted(PROVIDERS)
        for slug in providers:
            for key in rotate_keys(slug, keep_previous=not options["drop_previous"]):
                self.stdout.write(f"{slug}: {key.algorithm} key {key.kid} now signs")
        if options["drop_previous"]:
            self.stdout.write("Previous keys withdrawn from the key sets.")
        else:
            self.stdout.write(f"Previous keys stay published for {settings.SANDBOX_OIDC_KEY_GRACE_SECONDS} seconds.")
