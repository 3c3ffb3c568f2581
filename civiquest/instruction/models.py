"""Instruction: what agents add to a quest (labels, messages, notes, change requests, attestations)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import Service
from civiquest.catalogue.models import Procedure
from civiquest.documents.models import _private_storage
from civiquest.quests.models import Quest

# --- Instruction ----------------------------------------------------------------------------


class Label(models.Model):
    """A label a service puts on its quests (“étiquette”): seen by its agents only."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(_("nom"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "procedures_label"
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="procedures_label_unique_name")]

    def __str__(self) -> str:
        return self.name


class QuestLabel(models.Model):
    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="quest_labels")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="quest_labels")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "procedures_questlabel"
        verbose_name = _("étiquette d’un dossier")
        verbose_name_plural = _("étiquettes des dossiers")
        constraints = [models.UniqueConstraint(fields=["quest", "label"], name="procedures_quest_label_unique")]
        indexes = [models.Index(fields=["label", "quest"], name="procedures_quest_label_label")]

    def __str__(self) -> str:
        return f"{self.quest_id}/{self.label_id}"


class QuestMessage(models.Model):
    """A message of the thread between the citizen and the instructing service.

    An attachment is a private file, checked like a wallet document; read receipts say
    when the other side first read it.
    """

    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_agent = models.BooleanField(_("écrit par le service"), default=False)
    body = models.TextField(_("message"))
    attachment = models.FileField(_("pièce jointe"), storage=_private_storage, max_length=255, blank=True)
    attachment_name = models.CharField(_("nom de la pièce jointe"), max_length=255, blank=True)
    attachment_content_type = models.CharField(_("type de la pièce jointe"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    read_by_citizen_at = models.DateTimeField(_("lu par l’usager le"), null=True, blank=True)
    read_by_agent_at = models.DateTimeField(_("lu par le service le"), null=True, blank=True)

    class Meta:
        db_table = "procedures_questmessage"
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["quest", "created_at"], name="procedures_message_quest")]

    def __str__(self) -> str:
        return f"{self.quest_id}/{self.pk}"


class QuestNote(models.Model):
    """A private note of the service's agents on a quest: the citizen never sees it."""

    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)

    class Meta:
        db_table = "procedures_questnote"
        verbose_name = _("note privée")
        verbose_name_plural = _("notes privées")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["quest", "created_at"], name="procedures_note_quest")]

    def __str__(self) -> str:
        return f"{self.quest_id}/{self.pk}"


class ChangeRequest(models.Model):
    """What the service asked the citizen to fix: inputs (field names, ``step.input``) or
    whole steps (``step:<slug>``), each with a comment, and the message. Closed when the
    citizen resubmits (or the quest is closed)."""

    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="change_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("message"))
    targets = models.JSONField(_("éléments à corriger"), default=list, blank=True)
    # What the agent wrote beside each target, and the answers of the inputs they cover when
    # asked and when the citizen resubmitted: the agent reads what changed, field by field.
    comments = models.JSONField(_("commentaires par élément"), default=dict, blank=True)
    answers_before = models.JSONField(_("réponses à la demande"), default=dict, blank=True)
    answers_after = models.JSONField(_("réponses au nouveau dépôt"), null=True, blank=True)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    class Meta:
        db_table = "procedures_changerequest"
        verbose_name = _("demande de correction")
        verbose_name_plural = _("demandes de correction")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["quest", "closed_at"], name="procedures_change_request_open")]

    def __str__(self) -> str:
        return f"{self.quest_id}/{self.pk}"


class Attestation(models.Model):
    """The decision document of an accepted quest, with a code anyone may verify."""

    quest = models.OneToOneField(Quest, on_delete=models.PROTECT, related_name="attestation")
    code = models.CharField(_("code de vérification"), max_length=24, unique=True)
    file = models.FileField(_("fichier"), storage=_private_storage, max_length=255)
    citizen_name = models.CharField(_("usager"), max_length=400)
    procedure_title = models.CharField(_("démarche"), max_length=200)
    service_name = models.CharField(_("service"), max_length=200)
    decided_at = models.DateTimeField(_("décidé le"))
    created_at = models.DateTimeField(_("délivrée le"), default=timezone.now)

    class Meta:
        db_table = "procedures_attestation"
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")

    def __str__(self) -> str:
        return self.code


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", _("Tableur Excel (XLSX)")
    ODS = "ods", _("Tableur OpenDocument (ODS)")


class ExportJobStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


class ExportJob(models.Model):
    """An export of quests too many to stream at once, built by a Celery task (``exports_build``).

    ``filters`` are the inbox filters and the columns asked for, as the query string gave them
    (``InboxFilters.from_query`` reads them again at build time). ``service_ids`` are the agent's
    services when the file was built: only their owner, still a member of all of them, downloads
    it. Named in URLs by ``public_id`` (never the row id); the file expires and is purged.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("démarche")
    )
    filters = models.JSONField(_("filtres"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    status = models.CharField(
        _("état"), max_length=16, choices=ExportJobStatus.choices, default=ExportJobStatus.PENDING
    )
    service_ids = models.JSONField(_("services"), default=list, blank=True)
    file = models.FileField(_("fichier"), storage=_private_storage, max_length=255, blank=True)
    rows = models.PositiveIntegerField(_("dossiers"), default=0)
    size = models.PositiveBigIntegerField(_("taille (octets)"), default=0)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"))

    class Meta:
        verbose_name = _("export de dossiers")
        verbose_name_plural = _("exports de dossiers")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["agent", "-created_at"], name="instruction_export_agent_idx"),
            models.Index(fields=["expires_at"], name="instruction_export_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.created_at:%Y-%m-%d %H:%M} {self.format}"

    def is_expired(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


# --- Following and "nouveau" marks -------------------------------------------------------------


class QuestFollow(models.Model):
    """An agent follows a quest (“suivre”): told of its changes like its assignee."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quest_follows")
    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(_("suivi depuis le"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier suivi")
        verbose_name_plural = _("dossiers suivis")
        constraints = [models.UniqueConstraint(fields=["quest", "agent"], name="instruction_follow_unique")]

    def __str__(self) -> str:
        return f"{self.agent_id}/{self.quest_id}"


class QuestChangeKind(models.TextChoices):
    RESUBMITTED = "resubmitted", _("Dossier déposé à nouveau")
    MESSAGE = "message", _("Nouveau message")
    DOCUMENT = "document", _("Nouveau document")
    APPOINTMENT = "appointment", _("Rendez-vous")


class QuestMark(models.Model):
    """A quest changed since the agent last opened it (“nouveau”): one row per (agent, quest).

    Written for the assignee and the followers when the citizen changes the quest, deleted when
    the agent opens it; ``changed_at`` and ``kind`` tell the latest change.
    """

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quest_marks")
    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="agent_marks")
    kind = models.CharField(_("changement"), max_length=16, choices=QuestChangeKind.choices)
    changed_at = models.DateTimeField(_("changé le"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier nouveau pour un agent")
        verbose_name_plural = _("dossiers nouveaux pour les agents")
        constraints = [models.UniqueConstraint(fields=["agent", "quest"], name="instruction_mark_unique")]
        indexes = [models.Index(fields=["quest"], name="instruction_mark_quest_idx")]

    def __str__(self) -> str:
        return f"{self.agent_id}/{self.quest_id}"


class AgentDigest(models.Model):
    """An agent asked for the daily e-mail of the quests new for them (``instruction.digest``).

    ``last_day`` (Paris) makes it idempotent per day; ``last_sent_at`` bounds the next one.
    """

    agent = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_digest")
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    last_day = models.DateField(_("dernier envoi (jour)"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("dernier envoi"), null=True, blank=True)

    class Meta:
        verbose_name = _("résumé quotidien d’un agent")
        verbose_name_plural = _("résumés quotidiens des agents")

    def __str__(self) -> str:
        return str(self.agent_id)


# --- Expert opinions -------------------------------------------------------------------------


class OpinionRequest(models.Model):
    """An opinion (“avis”) an agent asks of a colleague, of any service, on one quest.

    The expert sees that quest only, read-only, and answers once; the request and its
    answer stay in the quest's file for its service's agents. The citizen never sees them.
    """

    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="opinion_requests")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Null once the expert's account is deleted: the request and its answer stay in the file.
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="opinion_requests"
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    answer = models.TextField(_("avis"), blank=True)
    answered_at = models.DateTimeField(_("rendu le"), null=True, blank=True)

    class Meta:
        db_table = "instruction_opinionrequest"
        verbose_name = _("demande d’avis")
        verbose_name_plural = _("demandes d’avis")
        ordering = ["asked_at", "pk"]
        indexes = [
            models.Index(fields=["quest", "asked_at"], name="instruction_opinion_quest"),
            models.Index(fields=["expert", "answered_at"], name="instruction_opinion_expert"),
        ]

    def __str__(self) -> str:
        return f"{self.quest_id}/{self.pk}"
