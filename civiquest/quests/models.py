"""Quests: a citizen's file on one procedure, its answers, steps done and state history.

Invariants held here, whatever the caller: a quest stays on the procedure and revision it
started on (``Quest.save()``); the transition history is append-only (``QuestTransition``
refuses updates and deletions, one by one or in bulk, and a quest with history cannot be
deleted: ``PROTECT``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civiquest.catalogue.models import Procedure, ProcedureRevision, Step
from civiquest.documents.models import Document
from civiquest.quests.errors import HistoryIsAppendOnly, RevisionPinned

# --- Quests ---------------------------------------------------------------------------------


class QuestState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    IN_REVIEW = "in_review", _("En instruction")
    CHANGES_REQUESTED = "changes_requested", _("À compléter")
    ACCEPTED = "accepted", _("Accepté")
    REJECTED = "rejected", _("Refusé")
    CLOSED = "closed", _("Classé sans suite")
    COMPLETED = "completed", _("Terminé")


# The states still waiting for a service's decision: the inbox's default tab (partial index).
INBOX_OPEN_STATES = (QuestState.SUBMITTED, QuestState.IN_REVIEW, QuestState.CHANGES_REQUESTED)
# Every state an inbox shows: all but drafts and guided quests (its "all" tab, partial index).
INBOX_STATES = (*INBOX_OPEN_STATES, QuestState.ACCEPTED, QuestState.REJECTED, QuestState.CLOSED)
# The decided states of an instructed quest: only these can be archived (issue 21, point 6).
DECIDED_STATES = (QuestState.ACCEPTED, QuestState.REJECTED, QuestState.CLOSED)
# The count bucket of the archived quests in ``QuestStateCount`` (their own inbox tab).
ARCHIVED = "archived"


class Quest(models.Model):
    """A citizen's run through one procedure (“dossier”), pinned to one revision."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quests")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="quests")
    revision = models.ForeignKey(ProcedureRevision, on_delete=models.PROTECT, related_name="quests")
    state = models.CharField(_("état"), max_length=24, choices=QuestState.choices, default=QuestState.DRAFT)
    reference = models.CharField(_("numéro de dossier"), max_length=24, unique=True)
    current_step = models.ForeignKey(Step, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)
    # Instruction (see ``instruction`` and ``deadlines``): who handles it, and its legal
    # deadline, recomputed from the history at each transition. While changes are
    # requested the clock is paused since ``deadline_paused_since``; the pauses already
    # over add up in ``deadline_paused_seconds`` and push ``deadline_at`` back.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent en charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_quests",
    )
    deadline_at = models.DateTimeField(_("date limite d’instruction"), null=True, blank=True)
    deadline_paused_seconds = models.PositiveIntegerField(_("suspension du délai (secondes)"), default=0)
    deadline_paused_since = models.DateTimeField(_("délai suspendu depuis"), null=True, blank=True)
    # The last step save applied, by page shown and count of edits made on it: an autosave still in
    # flight when "Enregistrer et continuer" was pressed must not land over the later answers.
    last_edit_page = models.CharField(max_length=32, blank=True, default="", editable=False)
    last_edit_seq = models.PositiveIntegerField(default=0, editable=False)
    # While the service asks for corrections on some answers only: the inputs the citizen may
    # change (the others stay as the service read them). ``None``: every input of the quest.
    open_inputs = models.JSONField(_("réponses rouvertes"), null=True, blank=True, default=None, editable=False)
    # A decided quest the service archived: out of its inbox tabs, in "Archivés". Only decided
    # quests are archived; a transition out of the decided states clears it (``services._apply``).
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)

    class Meta:
        db_table = "procedures_quest"
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(fields=["citizen", "state"], name="procedures_quest_citizen_state"),
            models.Index(fields=["procedure", "state"], name="procedures_quest_proc_state"),
            # The agent inbox, sorted as it sorts (deadline, submission, id) per procedure of the
            # agent's services: one tab state at a time, and the open states together (partial).
            models.Index(
                fields=["procedure", "state", "deadline_at", "submitted_at", "id"], name="procedures_quest_inbox"
            ),
            models.Index(
                fields=["procedure", "deadline_at", "submitted_at", "id"],
                name="procedures_quest_inbox_open",
                condition=models.Q(state__in=INBOX_OPEN_STATES),
            ),
            # Archived quests leave every tab but their own ("Archivés"): each its partial index.
            models.Index(
                fields=["procedure", "deadline_at", "submitted_at", "id"],
                name="procedures_quest_inbox_all",
                condition=models.Q(state__in=INBOX_STATES, archived_at__isnull=True),
            ),
            models.Index(
                fields=["procedure", "state", "deadline_at", "submitted_at", "id"],
                name="procedures_quest_decided",
                condition=models.Q(state__in=DECIDED_STATES, archived_at__isnull=True),
            ),
            models.Index(
                fields=["procedure", "deadline_at", "submitted_at", "id"],
                name="procedures_quest_archived",
                condition=models.Q(archived_at__isnull=False),
            ),
            models.Index(fields=["state", "deadline_at"], name="procedures_quest_state_due"),
            models.Index(fields=["assignee", "state"], name="procedures_quest_assignee"),
        ]

    _loaded_pins: tuple[int | None, int | None] | None = None

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        pins = (self.__dict__.get("procedure_id"), self.__dict__.get("revision_id"))
        if self._loaded_pins is not None and pins != self._loaded_pins:
            raise RevisionPinned(gettext("Un dossier reste sur la version de la démarche où il a commencé."))
        super().save(*args, **kwargs)
        self._loaded_pins = pins

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._loaded_pins = (instance.__dict__.get("procedure_id"), instance.__dict__.get("revision_id"))
        return instance


class QuestStateCount(models.Model):
    """How many quests each procedure has in each state: the inbox's tab counts, read in one
    small query whatever the number of quests.

    Kept by PostgreSQL triggers on ``procedures_quest`` (migrations ``0004`` and ``0005``), so
    every write path counts (the use cases, bulk writes, deletions) at no extra statement; on
    SQLite the inbox counts the quests themselves and this table stays empty. Archived quests
    are counted apart, under the ``ARCHIVED`` "state" (not a quest state: no choice names it).
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=24, choices=QuestState.choices)
    count = models.BigIntegerField(default=0)

    class Meta:
        db_table = "procedures_queststatecount"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "state"], name="procedures_queststatecount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}/{self.state}: {self.count}"


class Answer(models.Model):
    """One answer of a quest: the cleaned value of a field (or step input), as JSON."""

    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="answers")
    field_name = models.CharField(_("champ"), max_length=140)
    value = models.JSONField(_("valeur"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "procedures_answer"
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(fields=["quest", "field_name"], name="procedures_answer_unique_field"),
        ]

    def __str__(self) -> str:
        return self.field_name


class StepProgress(models.Model):
    """Where a quest is on a step. ``verified`` when what completed it was checked (valid
    form, documents given, reference in the expected format), not just declared."""

    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="progress")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    verified = models.BooleanField(_("vérifiée"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "procedures_stepprogress"
        verbose_name = _("avancement d’étape")
        verbose_name_plural = _("avancements d’étapes")
        constraints = [
            models.UniqueConstraint(fields=["quest", "step"], name="procedures_progress_unique_step"),
        ]

    def __str__(self) -> str:
        return f"{self.quest_id}/{self.step_id}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ActorRole(models.TextChoices):
    """In what capacity the actor of a transition acted."""

    CITIZEN = "citizen", _("Usager")
    AGENT = "agent", _("Agent instructeur")
    MANAGER = "manager", _("Responsable de service")
    HELPER = "helper", _("Aidant, pour le compte de l’usager")


def history_message() -> str:
    return gettext("L’historique d’un dossier ne se modifie pas et ne s’efface pas.")


class QuestTransitionQuerySet(models.QuerySet["QuestTransition"]):
    def update(self, **kwargs: Any) -> int:
        raise HistoryIsAppendOnly(history_message())

    def delete(self) -> tuple[int, dict[str, int]]:
        raise HistoryIsAppendOnly(history_message())


class QuestTransition(models.Model):
    """One change of state of a quest: who, when, from, to, why. Append-only.

    The first row of a quest, written when it starts, has an empty ``from_state``.
    ``actor`` is kept as ``actor_role`` too, so the history still says who acted if the
    account is gone.
    """

    quest = models.ForeignKey(Quest, on_delete=models.PROTECT, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(_("en qualité de"), max_length=16, choices=ActorRole.choices)
    at = models.DateTimeField(_("date du changement"), default=timezone.now)
    from_state = models.CharField(_("état de départ"), max_length=24, choices=QuestState.choices, blank=True)
    to_state = models.CharField(_("nouvel état"), max_length=24, choices=QuestState.choices)
    motivation = models.TextField(_("motivation"), blank=True)

    objects = QuestTransitionQuerySet.as_manager()

    class Meta:
        db_table = "procedures_questtransition"
        verbose_name = _("changement d’état")
        verbose_name_plural = _("changements d’état")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["quest", "at"], name="procedures_transition_quest_at")]

    def __str__(self) -> str:
        return f"{self.from_state or '∅'} → {self.to_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise HistoryIsAppendOnly(history_message())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise HistoryIsAppendOnly(history_message())


class QuestDocument(models.Model):
    """A document of the wallet given for a step of a quest.

    ``PROTECT``: a document leaves its quests only through ``documents.document_delete``,
    which refuses once one of them was submitted.
    """

    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments")
    step_slug = models.SlugField(_("étape"), max_length=60)
    # The input the document answers ("pieces.passport", or a document field's name); empty
    # for a document given to the step as a whole.
    input_name = models.CharField(_("réponse"), max_length=120, blank=True)
    attached_at = models.DateTimeField(_("joint le"), auto_now_add=True)

    class Meta:
        db_table = "procedures_questdocument"
        verbose_name = _("document joint à un dossier")
        verbose_name_plural = _("documents joints aux dossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["quest", "document", "step_slug", "input_name"], name="procedures_quest_document_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quest_id}/{self.step_slug}/{self.document_id}"
