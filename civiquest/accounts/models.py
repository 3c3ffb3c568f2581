from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civiquest.core.text import search_key


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Usager")
    AGENT = "agent", _("Agent instructeur")
    STAFF = "staff", _("Administrateur de la plateforme")


class Gender(models.TextChoices):
    FEMALE = "female", _("Femme")
    MALE = "male", _("Homme")


class CiviquestUserManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> "User":
        # A superuser runs the platform: give them the staff role, so they can sign in.
        extra_fields.setdefault("role", Role.STAFF)
        return super().create_superuser(username, email, password, **extra_fields)


NAME_FIELDS = frozenset({"first_name", "last_name", "given_names", "family_name", "usage_name"})


class User(AbstractUser):
    """A person using CiviQuest. The role decides which portal they may enter.

    For citizens signed in with FranceConnect, the identity fields hold the identité pivot
    as the provider last sent it: they are refreshed at each sign-in and never edited here.
    """

    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    # Identité pivot (FranceConnect); empty for accounts that never used it.
    given_names = models.CharField(_("prénoms"), max_length=200, blank=True)
    family_name = models.CharField(_("nom de naissance"), max_length=200, blank=True)
    usage_name = models.CharField(_("nom d’usage"), max_length=200, blank=True)
    birthdate = models.DateField(_("date de naissance"), null=True, blank=True)
    gender = models.CharField(_("sexe"), max_length=8, choices=Gender.choices, blank=True)
    birthplace = models.CharField(_("lieu de naissance (code INSEE)"), max_length=5, blank=True)
    birthcountry = models.CharField(_("pays de naissance (code INSEE)"), max_length=5, blank=True)
    identity_refreshed_at = models.DateTimeField(_("identité mise à jour le"), null=True, blank=True)
    terms_accepted_at = models.DateTimeField(_("conditions acceptées le"), null=True, blank=True)
    notify_by_email = models.BooleanField(_("recevoir les notifications par courriel"), default=True)
    # Every name, folded (no accents, lower case): agents find "Wéa" by typing "wea". Kept by save().
    search_name = models.CharField(_("noms pour la recherche"), max_length=1000, blank=True, editable=False)

    objects: ClassVar[CiviquestUserManager] = CiviquestUserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        indexes = [
            models.Index(fields=["role"], name="accounts_user_role_idx"),
            models.Index(Lower("email"), name="accounts_user_email_lower_idx"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_key(
            " ".join([self.first_name, self.last_name, self.given_names, self.family_name, self.usage_name])
        )[:1000]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & NAME_FIELDS:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        if self.given_names or self.family_name:
            first_given_name = self.given_names.split(" ")[0]
            return f"{first_given_name} {self.usage_name or self.family_name}".strip()
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


class IdentityProvider(models.TextChoices):
    FRANCECONNECT = "franceconnect", "FranceConnect"
    PROCONNECT = "proconnect", "ProConnect"


class ExternalIdentity(models.Model):
    """A user's identity at an OpenID provider: the (provider, sub) pair that signs them in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(_("fournisseur d’identité"), max_length=16, choices=IdentityProvider.choices)
    sub = models.CharField(_("identifiant chez le fournisseur"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("identité externe")
        verbose_name_plural = _("identités externes")
        constraints = [
            models.UniqueConstraint(fields=["provider", "sub"], name="accounts_external_identity_unique_sub")
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.sub}"


class ServiceKind(models.TextChoices):
    MAIRIE = "mairie", _("Mairie")
    PREFECTURE = "prefecture", _("Préfecture")
    DGFIP = "dgfip", _("Finances publiques (DGFiP)")
    CAF = "caf", _("Caisse d’allocations familiales")
    CPAM = "cpam", _("Assurance Maladie")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    OTHER = "other", _("Autre administration")


class Service(models.Model):
    """An administration whose agents instruct quests: a mairie, a préfecture, a CAF…"""

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=32, choices=ServiceKind.choices)
    commune_code = models.CharField(_("code commune (INSEE)"), max_length=5, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceRole(models.TextChoices):
    INSTRUCTOR = "instructor", _("Instructeur")
    MANAGER = "manager", _("Responsable de service")


class ServiceMembership(models.Model):
    """An agent's place in a service, with their role there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle dans le service"), max_length=16, choices=ServiceRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appartenance à un service")
        verbose_name_plural = _("appartenances à un service")
        constraints = [models.UniqueConstraint(fields=["user", "service"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.service} ({self.get_role_display()})"


class AgentInvitation(models.Model):
    """Staff invite an agent by email to a service; ProConnect sign-in with that email accepts it."""

    email = models.EmailField(_("adresse électronique"))
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("rôle dans le service"), max_length=16, choices=ServiceRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation d’agent")
        verbose_name_plural = _("invitations d’agents")
        indexes = [models.Index(Lower("email"), name="accounts_invitation_email_idx")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "service",
                condition=models.Q(revoked_at__isnull=True),
                name="accounts_invitation_unique_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.service}"


# --- Audit log ------------------------------------------------------------------------------


class AuditIsAppendOnly(Exception):
    """An audit event was to be changed or deleted: the log only grows."""


def audit_append_only_message() -> str:
    return gettext("Le journal d’audit ne se modifie pas et ne s’efface pas.")


# What may change in a recorded event: forgetting a person (a deleted account, an erasure).
# None of these columns is covered by the hash chain, so forgetting never breaks it.
AUDIT_FORGETTABLE_COLUMNS = frozenset({"actor", "actor_label", "target_label"})
# The predecessor of the first event of the chain.
AUDIT_CHAIN_GENESIS = "0" * 64


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        # The one change allowed: forgetting a person. ``actor`` may only become ``None``
        # (``on_delete=SET_NULL``, ``audit_forget_person``); the labels get a pseudonym.
        if kwargs and set(kwargs) <= AUDIT_FORGETTABLE_COLUMNS and kwargs.get("actor") is None:
            return super().update(**kwargs)
        raise AuditIsAppendOnly(audit_append_only_message())

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditIsAppendOnly(audit_append_only_message())


class AuditEvent(models.Model):
    """One action of an agent or of staff: who, in what role, did what, to what, why. Append-only.

    ``actor_label`` and ``target_label`` keep what the actor and target were called at the
    time, so the log still reads when the account or object is gone.

    Events form a hash chain (``accounts.audit``): ``hash`` is the SHA-256 of the event's
    other columns and ``previous_hash``, except the actor and the labels, which erasure may
    pseudonymise. ``manage.py audit_verify`` detects an edited, deleted or inserted row.
    """

    sequence = models.PositiveBigIntegerField(_("numéro d’ordre"), unique=True)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64, unique=True)
    hash = models.CharField(_("empreinte"), max_length=64)
    at = models.DateTimeField(_("date"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("auteur"), max_length=254, blank=True)
    actor_role = models.CharField(_("rôle de l’auteur"), max_length=16, choices=Role.choices, blank=True)
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("type de cible"), max_length=64, blank=True)
    target_id = models.CharField(_("identifiant de la cible"), max_length=64, blank=True)
    target_label = models.CharField(_("cible"), max_length=255, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement du journal d’audit")
        verbose_name_plural = _("journal d’audit")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="accounts_audit_at_idx"),
            models.Index(fields=["actor", "-at"], name="accounts_audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="accounts_audit_action_idx"),
            models.Index(fields=["target_type", "target_id"], name="accounts_audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditIsAppendOnly(audit_append_only_message())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditIsAppendOnly(audit_append_only_message())


# --- The services' API tokens ---------------------------------------------------------------


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Lecture")
    READ_WRITE = "read_write", _("Lecture et écriture")


class ServiceApiToken(models.Model):
    """A bearer token an agent made for their services' own systems (``/api/v1/services/…``).

    Only the SHA-256 of the secret is stored; the secret is shown once, when it is made. It
    reaches the services it names that its creator still belongs to, until it expires or is
    revoked (``accounts.api_tokens``).
    """

    name = models.CharField(_("nom"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("créé par")
    )
    services = models.ManyToManyField(Service, related_name="api_tokens", verbose_name=_("services"))
    scope = models.CharField(_("portée"), max_length=16, choices=ApiTokenScope.choices)
    # The first characters of the secret, shown in lists so that the agent recognises it.
    prefix = models.CharField(_("début du jeton"), max_length=12)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d’API")
        verbose_name_plural = _("jetons d’API")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class ServiceApiTokenUse(models.Model):
    """One call made with a token: which operation, its answer, when (the token's use log)."""

    token = models.ForeignKey(ServiceApiToken, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(_("date"), default=timezone.now)
    method = models.CharField(_("méthode"), max_length=8)
    path = models.CharField(_("chemin"), max_length=255)
    status = models.PositiveSmallIntegerField(_("réponse"))

    class Meta:
        verbose_name = _("utilisation d’un jeton d’API")
        verbose_name_plural = _("utilisations des jetons d’API")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["token", "-at"], name="accounts_token_use_idx"),
            # The daily purge of the log past its retention.
            models.Index(fields=["at"], name="accounts_token_use_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.method} {self.path} {self.status}"
