"""The document wallet: a citizen's files (pièces justificatives), given once, attached to any quests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civiquest.documents.storage import private_storage


class DocumentType(models.TextChoices):
    """Kinds of documents in the citizen's wallet; a documents step asks for some of them."""

    PASSPORT = "passport", _("Passeport")
    IDENTITY_CARD = "identity_card", _("Carte nationale d’identité")
    DRIVING_LICENCE = "driving_licence", _("Permis de conduire")
    RESIDENCE_PERMIT = "residence_permit", _("Titre de séjour")
    PROOF_OF_ADDRESS = "proof_of_address", _("Justificatif de domicile")
    TAX_NOTICE = "tax_notice", _("Avis d’imposition")
    ID_PHOTO = "id_photo", _("Photo d’identité")
    FAMILY_RECORD_BOOK = "family_record_book", _("Livret de famille")
    BANK_DETAILS = "bank_details", _("Relevé d’identité bancaire")
    OTHER = "other", _("Autre document")


def _private_storage() -> Any:
    return private_storage()


class Document(models.Model):
    """A file in a citizen's wallet (“pièce justificative”), given once and attached to any quests.

    The file lives in private storage under a random name; what the citizen called it is
    ``original_filename``. ``content_type``, ``size`` and ``sha256`` describe the stored
    bytes (images are re-encoded without their metadata, see ``documents.document_upload``).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents")
    type = models.CharField(_("type de document"), max_length=24, choices=DocumentType.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    file = models.FileField(_("fichier"), storage=_private_storage, max_length=255)
    original_filename = models.CharField(_("nom du fichier d’origine"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    issued_on = models.DateField(_("délivré le"), null=True, blank=True)
    expires_on = models.DateField(_("expire le"), null=True, blank=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        db_table = "procedures_document"
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="procedures_document_owner"),
            models.Index(fields=["expires_on"], name="procedures_document_expiry"),
        ]

    def __str__(self) -> str:
        return self.title
