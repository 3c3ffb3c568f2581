from base64 import b32decode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from civiquest.accounts import staff_auth
from civiquest.accounts.models import Role, User
from civiquest.accounts.services import DemoAccount, demo_accounts_ensure


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print how to sign in."

    def handle(self, *args: object, **options: object) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        accounts = demo_accounts_ensure()
        self.stdout.write("How to sign in to the demo (everything runs offline, on the built-in sandboxes):")
        self.stdout.write(
            "  Citizens: /compte/connexion/franceconnect/ -> 'S'identifier avec FranceConnect' -> pick a test"
            " identity (e.g. Angela Claire Louise DUBOIS); the first sign-in asks to accept the terms."
        )
        self.stdout.write(
            "  Agents:   /compte/connexion/proconnect/ -> 'S'identifier avec ProConnect' -> Karim Benali"
            " (manager, Mairie de Nouméa) or Léa Nguyen (invited instructor); Claire Dupuis was never"
            " invited and is refused."
        )
        for account in accounts:
            if account.password:
                self.stdout.write(
                    f"  Staff:    /compte/connexion/ -> {account.username} / {account.password}, then a TOTP code:"
                )
        for account in accounts:
            if account.role == Role.STAFF and account.totp_secret:
                self._print_totp(account)

    def _print_totp(self, account: DemoAccount) -> None:
        """How the demo staff member gets the code asked after their password."""
        device = staff_auth.confirmed_device(User.objects.get(username=account.username))
        if device is None:
            return
        groups = " ".join(staff_auth.secret_groups(device))
        code = totp(b32decode(account.totp_secret), step=device.step, digits=device.digits)
        self.stdout.write(f"  {account.username}: after the password, enter the 6-digit code of an authenticator app")
        self.stdout.write("  (FreeOTP, Aegis, Google Authenticator…) set up with this time-based key:")
        self.stdout.write(f"    secret: {groups}")
        self.stdout.write(f"    URI:    {device.config_url}")
        self.stdout.write(
            f"    (current code: {code:0{device.digits}d}, valid about 30 seconds;"
            " `.venv/bin/python manage.py demo_totp` prints the next ones)"
        )
        self.stdout.write(f"  {account.username} also opens Django's admin at /django-admin/.")
