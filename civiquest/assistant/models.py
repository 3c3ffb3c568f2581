"""The assistant's knowledge base: official sources and their chunks.

A ``KnowledgeSource`` is a service-public.fr fiche (``kind="fiche"``, ``key="F1234"``)
imported by ``manage.py kb_import``, or one of our published procedures
(``kind="procedure"``, ``key`` = its slug) refreshed by ``manage.py kb_index``. Its chunks
are what retrieval indexes; ``content_hash`` lets a re-import leave an unchanged source
and its chunks untouched.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    FICHE = "fiche", _("Fiche service-public.fr")
    PROCEDURE = "procedure", _("Démarche du catalogue")


class KnowledgeSource(models.Model):
    kind = models.CharField(_("type"), max_length=16, choices=SourceKind.choices)
    # Fiche ID ("F1234") or procedure slug.
    key = models.CharField(_("identifiant"), max_length=80)
    title = models.CharField(_("titre"), max_length=300)
    # A fiche's official service-public.fr address, or a procedure's path ("/demarches/<slug>/"):
    # never the host of the machine that imported it.
    url = models.CharField(_("adresse web"), max_length=500)
    theme = models.CharField(_("thème"), max_length=200, blank=True)
    audience = models.CharField(_("public"), max_length=40, blank=True)
    modified_on = models.DateField(_("modifiée le"), null=True, blank=True)
    # Keys of other sources this one points to (a procedure's service-public.fr fiches).
    related_keys = models.JSONField(_("sources liées"), default=list, blank=True)
    # A fiche's editorial metadata, indexed and never shown: {"folders": [...], "questions": [...]}
    # (civiquest.assistant.knowledge.editorial_metadata).
    editorial = models.JSONField(_("métadonnées éditoriales"), default=dict, blank=True)
    # sha256 of the parsed content (and parser version): unchanged → not rewritten.
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("source de connaissance")
        verbose_name_plural = _("sources de connaissance")
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="assistant_source_unique_key"),
        ]
        indexes = [
            models.Index(fields=["kind", "theme"], name="assistant_source_kind_theme"),
            models.Index(fields=["kind", "modified_on"], name="assistant_source_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.key} — {self.title}"


class KnowledgeChunk(models.Model):
    """A section of a source (1–2k characters), with the trail of section titles leading to it."""

    source = models.ForeignKey(KnowledgeSource, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField(_("position"))
    # Section titles, outermost first: ["En France", "Pièces à fournir", "Majeur"].
    trail = models.JSONField(_("titres des sections"), default=list, blank=True)
    text = models.TextField(_("texte"))

    class Meta:
        verbose_name = _("extrait de source")
        verbose_name_plural = _("extraits de sources")
        ordering = ["source", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="assistant_chunk_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}#{self.position}"
