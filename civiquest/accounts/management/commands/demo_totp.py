from base64 import b32decode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from civiquest.accounts.services import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo staff account (demo only)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo accounts do not exist in production.")
        for account in DEMO_ACCOUNTS:
            if account.totp_secret:
                code = totp(b32decode(account.totp_secret), step=30, digits=6)
                self.stdout.write(f"{account.username}: {code:06d} (valid about 30 seconds)")
