"""Moving house: the citizen's current address, a move declared once, and one dispatch per organisation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civiquest.integrations.address.moving.organisations import ORGANISATIONS


class HomeAddress(models.Model):
    """Where the citizen lives now, as the last move declared it (an address answer's form)."""

    citizen = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_address", verbose_name=_("usager")
    )
    # A normalized address (NormalizedAddress.as_dict()) or free entry {"label", "free_entry"}.
    address = models.JSONField(_("adresse"))
    label = models.CharField(_("adresse"), max_length=500)
    since = models.DateField(_("depuis le"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("adresse du domicile")
        verbose_name_plural = _("adresses du domicile")

    def __str__(self) -> str:
        return self.label


class MoveDeclaration(models.Model):
    """A move, declared once from a ``changement-adresse`` quest."""

    quest = models.OneToOneField(
        "quests.Quest", on_delete=models.CASCADE, related_name="move_declaration", verbose_name=_("dossier")
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="move_declarations", verbose_name=_("usager")
    )
    reference = models.CharField(_("numéro de la déclaration"), max_length=20, unique=True)
    address = models.JSONField(_("nouvelle adresse"))
    address_label = models.CharField(_("nouvelle adresse"), max_length=500)
    moved_on = models.DateField(_("date du déménagement"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("déclaration de déménagement")
        verbose_name_plural = _("déclarations de déménagement")
        indexes = [models.Index(fields=["citizen", "-created_at"], name="moving_decl_citizen_idx")]

    def __str__(self) -> str:
        return self.reference


class DispatchStatus(models.TextChoices):
    PENDING = "pending", _("En cours d’envoi")
    SENDING = "sending", _("En cours d’envoi")
    RECEIVED = "received", _("Reçue par l’organisme")
    PROCESSED = "processed", _("Prise en compte")
    REJECTED = "rejected", _("Refusée")
    FAILED = "failed", _("Envoi impossible pour le moment")


# A dispatch the citizen may send again: refused (after fixing the reference) or not delivered.
RETRIABLE = frozenset({DispatchStatus.REJECTED, DispatchStatus.FAILED})


class MoveDispatch(models.Model):
    """The declaration sent to one organisation, with the reference it needs and its answer."""

    declaration = models.ForeignKey(
        MoveDeclaration, on_delete=models.CASCADE, related_name="dispatches", verbose_name=_("déclaration")
    )
    organisation = models.CharField(
        _("organisme"), max_length=30, choices=[(code, org.label) for code, org in ORGANISATIONS.items()]
    )
    reference = models.CharField(_("référence auprès de l’organisme"), max_length=40)
    status = models.CharField(_("état"), max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.PENDING)
    reason = models.CharField(_("motif"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # Sent as the Idempotency-Key header: a retried request is recognised, never processed twice.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True)
    remote_id = models.CharField(_("numéro chez l’organisme"), max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("envoi à un organisme")
        verbose_name_plural = _("envois aux organismes")
        ordering = ["declaration", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "organisation"], name="moving_dispatch_unique_organisation")
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="moving_dispatch_status_idx")]

    def __str__(self) -> str:
        return f"{self.declaration_id} → {self.organisation}"

    @property
    def organisation_label(self) -> str:
        organisation = ORGANISATIONS.get(self.organisation)
        return str(organisation.label) if organisation else self.organisation

    @property
    def is_retriable(self) -> bool:
        return self.status in RETRIABLE

    @property
    def is_settled(self) -> bool:
        return self.status in (DispatchStatus.PROCESSED, DispatchStatus.REJECTED)
