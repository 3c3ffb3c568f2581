from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civiquest.core.citizen_cache import invalidate_citizen_on_change


class AccountsConfig(AppConfig):
    name = "civiquest.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from civiquest.accounts.models import User  # noqa: PLC0415 - models load after the app registry

        # A citizen's cached reads depend on their identity (a birth date dates their titles): core.citizen_cache.
        invalidate_citizen_on_change(User, lambda user: user.pk)
