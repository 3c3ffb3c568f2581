from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from civiquest.accounts.models import Role, User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    first_name: str
    last_name: str
    email: str
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("camille", "demo-citoyenne-2026", Role.CITIZEN, "Camille", "Martin", "camille.martin@example.fr"),
    DemoAccount("agent", "demo-agent-2026", Role.AGENT, "Karim", "Benali", "karim.benali@mairie-exemple.fr"),
    DemoAccount("admin", "demo-admin-2026", Role.STAFF, "Sophie", "Durand", "sophie.durand@civiquest.example", True),
)


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    """Create or reset the demo accounts; safe to run again (same accounts, same passwords)."""
    for account in DEMO_ACCOUNTS:
        user, _created = User.objects.select_for_update().get_or_create(username=account.username)
        user.role = account.role
        user.first_name = account.first_name
        user.last_name = account.last_name
        user.email = account.email
        user.is_active = True
        user.is_superuser = account.is_superuser
        user.is_staff = account.is_superuser
        user.set_password(account.password)
        user.save()
    return list(DEMO_ACCOUNTS)
