"""Trusted helpers ("aidants") acting for a citizen under a mandate, after Aidants Connect.

A mandate names a helper, the domains it covers (catalogue ``Theme`` values, the ten
Aidants Connect domains) and a duration (1, 31, 182 or 365 days). It grants something only
while ``revoked_at`` is empty and ``expires_at`` is in the future, checked against the
database at each request (``selectors.active_mandates``), never remembered in a session.
Everything a helper does, and every grant and revocation, is in the append-only journal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civiquest.catalogue.models import Theme

# The ten Aidants Connect domains are the catalogue's themes.
MandateDomain = Theme
DURATIONS_DAYS = (1, 31, 182, 365)


class StructureKind(models.TextChoices):
    FRANCE_SERVICES = "france_services", _("France Services")
    ASSOCIATION = "association", _("Association")
    CCAS = "ccas", _("CCAS")
    OTHER = "autre", _("Autre")


class HelperStructure(models.Model):
    """A place whose members help people with their procedures (France Services, an association…)."""

    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type"), max_length=24, choices=StructureKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    class Meta:
        verbose_name = _("structure d’aidants")
        verbose_name_plural = _("structures d’aidants")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class StructureRole(models.TextChoices):
    HELPER = "helper", _("Aidant")
    MANAGER = "manager", _("Responsable")


class StructureMember(models.Model):
    structure = models.ForeignKey(HelperStructure, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helper_memberships")
    role = models.CharField(_("rôle"), max_length=16, choices=StructureRole.choices, default=StructureRole.HELPER)

    class Meta:
        verbose_name = _("membre d’une structure")
        verbose_name_plural = _("membres d’une structure")
        constraints = [models.UniqueConstraint(fields=["structure", "user"], name="mandates_member_unique")]

    def __str__(self) -> str:
        return f"member {self.pk}"


class HelperProfile(models.Model):
    """The short code a helper shows the citizen in person, so the citizen names the right account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helper_profile")
    code = models.CharField(_("code aidant"), max_length=12, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("profil d’aidant")
        verbose_name_plural = _("profils d’aidant")

    def __str__(self) -> str:
        return f"helper {self.pk}"


class Mandate(models.Model):
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mandates_given")
    # An erased helper's mandates are revoked and kept, with their journal, for the citizen.
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="mandates_held"
    )
    structure = models.ForeignKey(
        HelperStructure, on_delete=models.SET_NULL, null=True, blank=True, related_name="mandates"
    )
    domains = models.JSONField(_("domaines"), default=list)
    duration_days = models.PositiveSmallIntegerField(_("durée (jours)"))
    created_at = models.DateTimeField(_("donné le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    confirmed_at = models.DateTimeField(_("confirmé par FranceConnect le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["helper", "citizen"], name="mandates_helper_citizen")]

    def __str__(self) -> str:
        return f"mandate {self.pk}"

    def is_active(self, now: Any = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment

    def covers(self, theme: str, now: Any = None) -> bool:
        return self.is_active(now) and theme in self.domains

    def status(self, now: Any = None) -> str:
        if self.revoked_at is not None:
            return gettext("Révoqué")
        if self.expires_at <= (now or timezone.now()):
            return gettext("Expiré")
        return gettext("Actif")

    @property
    def helper_name(self) -> str:
        return self.helper.display_name if self.helper is not None else gettext("compte supprimé")

    def domain_labels(self) -> list[str]:
        labels = dict(Theme.choices)
        return [str(labels.get(domain, domain)) for domain in self.domains]


class JournalAction(models.TextChoices):
    GRANTED = "granted", _("Mandat donné")
    REVOKED = "revoked", _("Mandat révoqué")
    STEP_SAVED = "step_saved", _("Étape enregistrée")
    QUEST_SUBMITTED = "quest_submitted", _("Dossier déposé")
    DOCUMENT_DOWNLOADED = "document_downloaded", _("Document téléchargé")
    APPOINTMENT_BOOKED = "appointment_booked", _("Rendez-vous réservé")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Rendez-vous annulé")


class JournalIsAppendOnly(Exception):
    pass


class MandateJournalQuerySet(models.QuerySet["MandateJournalEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise JournalIsAppendOnly("append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise JournalIsAppendOnly("append-only")


class MandateJournalEntry(models.Model):
    """One thing done under a mandate, or its grant or revocation. Never changed.

    Deleted only with its mandate (the citizen's erasure)."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="journal")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=24, choices=JournalAction.choices)
    quest_id = models.PositiveIntegerField(null=True, blank=True)
    quest_label = models.CharField(_("démarche"), max_length=200, blank=True)
    document_id = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("le"), default=timezone.now)
    details = models.JSONField(default=dict, blank=True)

    objects = MandateJournalQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal de mandat")
        verbose_name_plural = _("journal des mandats")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise JournalIsAppendOnly("append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise JournalIsAppendOnly("append-only")
