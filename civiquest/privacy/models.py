"""An export of a citizen's data: a ZIP in private storage, downloadable by them for 24 hours."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.documents.storage import private_storage


def _private_storage() -> Any:
    return private_storage()


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


class DataExport(models.Model):
    """One export the citizen asked for. Its ``public_id`` names it in URLs (never the row id)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(_("état"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    file = models.FileField(_("fichier"), storage=_private_storage, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), default=0)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    ready_at = models.DateTimeField(_("prêt le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"))

    class Meta:
        verbose_name = _("export de données")
        verbose_name_plural = _("exports de données")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["citizen", "-created_at"], name="privacy_export_citizen_idx"),
            models.Index(fields=["expires_at"], name="privacy_export_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen_id} {self.created_at:%Y-%m-%d %H:%M}"

    def is_expired(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at
