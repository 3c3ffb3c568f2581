from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Usager")
    AGENT = "agent", _("Agent instructeur")
    STAFF = "staff", _("Administrateur de la plateforme")


class User(AbstractUser):
    """A person using CiviQuest. The role decides which portal they may enter."""

    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.CITIZEN)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        indexes = [models.Index(fields=["role"], name="accounts_user_role_idx")]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    @property
    def is_platform_staff(self) -> bool:
        return self.role == Role.STAFF
