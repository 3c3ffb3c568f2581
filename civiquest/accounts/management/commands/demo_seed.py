from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civiquest.accounts.services import demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print how to sign in."

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        accounts = demo_accounts_ensure()
        self.stdout.write("Demo accounts (sign in at /compte/connexion/):")
        for account in accounts:
            self.stdout.write(f"  {account.role.label:<35} {account.username:<10} password: {account.password}")
        self.stdout.write("  The admin account also opens Django's admin at /django-admin/.")
