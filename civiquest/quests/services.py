"""Writes on quests. Every quest write locks the quest row first.

Decisions:

- ``answers_save`` saves what is valid and reports the rest: a missing required answer is
  not an error while drafting (``step_complete`` and submission ask for it). An invalid
  value leaves the previous answer in place; an empty one clears it.
- A guided procedure (no instructing service, no agent review step) completes by itself
  when ``step_complete`` finishes its last required visible step.
- At submission, answers of inputs hidden by conditions are deleted.
- A transition to the state the quest is already in returns the transition that brought it
  there, without a new row: submitting twice, from two tabs or two requests, is one submit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, User
from civiquest.catalogue.cleaning import clean_value, is_empty
from civiquest.catalogue.conditions import Visibility, completeness, condition_met, step_errors, visibility
from civiquest.catalogue.errors import ProcedureNotPublished
from civiquest.catalogue.inputs import InputInvalid, step_inputs
from civiquest.catalogue.models import (
    FieldKind,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
    StepKind,
)
from civiquest.catalogue.services import revision_content
from civiquest.core.citizen_cache import citizen_data_changed
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic
from civiquest.quests import workflow
from civiquest.quests.answer_documents import attachments_sync, wallet_document_check
from civiquest.quests.corrections import answer_changes, is_open
from civiquest.quests.edits import EditMark, edit_is_stale, edit_record
from civiquest.quests.errors import (
    QuestNotEditable,
    StepIncomplete,
    StepUnavailable,
)
from civiquest.quests.models import (
    ActorRole,
    Answer,
    Quest,
    QuestState,
    QuestTransition,
    StepProgress,
)

# Crockford's base 32: no I, L, O or U to misread.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Steps whose completion rests on checked data rather than on the citizen's word.
VERIFIED_KINDS = frozenset({StepKind.FORM, StepKind.DOCUMENTS, StepKind.OUTSIDE_SERVICE})


@dataclass
class QuestEvents:
    """What quest writes did that other domains follow up: steps newly done, transitions made.

    A use case (``civiquest.actions``) passes one to the writes it calls, then makes the
    follow-up calls itself (rewards, deadlines, the citizen told), in the same transaction.
    A write called without it only changes the quest.
    """

    steps_done: list[StepProgress] = field(default_factory=list)
    transitions: list[QuestTransition] = field(default_factory=list)


# --- Quests ---------------------------------------------------------------------------------


def quest_reference_new() -> str:
    """``CQ-2026-7KX3-M9QD``: the year, then 40 random bits in Crockford base 32."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CQ-{timezone.localdate().year}-{body[:4]}-{body[4:]}"


@atomic
def quest_start(*, citizen: User, procedure: Procedure) -> Quest:
    """Open a draft quest on the procedure's published revision, which it keeps for good."""
    if citizen.role != Role.CITIZEN or not citizen.is_active:
        raise ProcedureError(_("Seuls les usagers peuvent commencer une démarche."))
    current = Procedure.objects.filter(pk=procedure.pk).values_list("status", flat=True).first()
    revision_id = (
        ProcedureRevision.objects.filter(procedure_id=procedure.pk, status=RevisionStatus.PUBLISHED)
        .values_list("pk", flat=True)
        .first()
    )
    if current != ProcedureStatus.PUBLISHED or revision_id is None:
        raise ProcedureNotPublished(_("Cette démarche n’est pas ouverte en ligne pour le moment."))
    # Read through the cache of published revisions: the quest's writes will find it there.
    revision = revision_content(ProcedureRevision.objects.select_related("procedure").get(pk=revision_id))
    seen = visibility(revision, {})
    quest = Quest(
        citizen=citizen,
        procedure_id=procedure.pk,
        revision=revision,
        state=QuestState.DRAFT,
        current_step=seen.steps[0] if seen.steps else None,
    )
    for attempt in range(5):
        quest.reference = quest_reference_new()
        try:
            with transaction.atomic():
                quest.save()
            break
        except IntegrityError:
            # Another quest drew the same reference: draw again.
            if attempt == 4:
                raise
    QuestTransition.objects.create(
        quest=quest, actor=citizen, actor_role=ActorRole.CITIZEN, from_state="", to_state=QuestState.DRAFT
    )
    return quest


def _lock(quest: Quest) -> Quest:
    """The quest row locked for this transaction, with what the writes and their follow-ups read
    (procedure, revision, citizen): nothing after this reads the quest again."""
    locked = (
        Quest.objects.select_for_update(of=("self",))
        .select_related("procedure", "revision", "citizen")
        .get(pk=quest.pk)
    )
    # Its answers, steps and attachments are written with bulk statements that send no signal.
    citizen_data_changed(locked.citizen_id)
    return locked


def _revision(locked: Quest) -> ProcedureRevision:
    """The quest's revision with its steps and fields (cached once published: ``revision_content``)."""
    revision = locked.revision
    revision.procedure = locked.procedure  # the same row: a quest's revision is one of its procedure's
    return revision_content(revision)


def quest_sync(target: Quest, source: Quest) -> None:
    """Bring the caller's instance up to date with the locked one."""
    for name in ("state", "submitted_at", "decided_at", "updated_at", "current_step_id"):
        setattr(target, name, getattr(source, name))


def _answers(quest: Quest) -> dict[str, Any]:
    return dict(Answer.objects.filter(quest=quest).values_list("field_name", "value"))


def _done_step_ids(quest: Quest) -> set[int]:
    return set(StepProgress.objects.filter(quest=quest, done_at__isnull=False).values_list("step_id", flat=True))


def _step_of(revision: ProcedureRevision, step: Step) -> Step:
    for candidate in revision.steps.all():
        if candidate.pk == step.pk:
            return candidate
    raise StepUnavailable(_("Cette étape ne fait pas partie de ce dossier."))


def _check_editable(quest: Quest) -> None:
    if quest.state not in workflow.EDITABLE_STATES:
        raise QuestNotEditable(_("Ce dossier ne peut plus être modifié : il est en cours de traitement ou terminé."))


def _check_visible(seen: Visibility, step: Step) -> None:
    if not seen.is_visible(step):
        raise StepUnavailable(_("Cette étape ne s’applique pas à votre situation, d’après vos réponses."))


@dataclass(frozen=True)
class AnswersSaved:
    """What ``answers_save`` wrote (``None`` for a cleared answer) and what it refused, by input name."""

    saved: dict[str, Any]
    errors: dict[str, str]


@dataclass(frozen=True)
class StepSaved:
    """What ``step_save`` did: the answers written and refused, and, when asked to mark the step
    done, the errors that kept it from being done or the problem that stopped it."""

    saved: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    completed: bool = False
    # Not applied: a later save of the same page already was (its answers hold these edits too).
    stale: bool = False


# The quest's position fields a step save writes (``last_edit_*`` stay as they are on other writes).
_POSITION_FIELDS = ["current_step", "last_edit_page", "last_edit_seq", "updated_at"]


class _QuestWrite:
    """One write on a locked quest: its revision, answers and step progress, each read once."""

    def __init__(self, quest: Quest) -> None:
        self.quest = quest
        self.locked = _lock(quest)
        self.revision = _revision(self.locked)
        self.answers = _answers(self.locked)
        self._progress: dict[int, StepProgress] | None = None

    @property
    def progress(self) -> dict[int, StepProgress]:
        """The quest's step progress rows by step id (read once, kept up to date by these writes)."""
        if self._progress is None:
            # Through the related manager: each row's ``quest`` is the locked instance, with no query.
            self._progress = {row.step_id: row for row in self.locked.progress.all()}
        return self._progress

    def done_step_ids(self) -> set[int]:
        return {step_id for step_id, row in self.progress.items() if row.done_at is not None}

    def step(self, step: Step) -> Step:
        return _step_of(self.revision, step)

    def answers_write(self, step: Step, data: Mapping[str, Any]) -> AnswersSaved:
        """What ``answers_save`` writes; the quest's current step is the caller's to save."""
        locked = self.locked
        seen = visibility(self.revision, self.answers)
        _check_visible(seen, step)
        # Conditions inside the step may depend on answers given in this very request.
        working = dict(seen.answers)
        saved: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for spec in step_inputs(step):
            if not condition_met(spec.condition, working):
                working.pop(spec.name, None)
                continue
            if spec.name not in data:
                continue
            raw = data[spec.name]
            if not is_open(locked, spec.name):
                # Asked to correct other answers only: this one stays as the service read it.
                if answer_changes(spec, raw, self.answers.get(spec.name)):
                    errors[spec.name] = str(_("Le service n’a pas demandé de corriger cette réponse."))
                continue
            if is_empty(raw):
                working.pop(spec.name, None)
                saved[spec.name] = None
                continue
            try:
                value = clean_value(spec, raw)
                if spec.kind == FieldKind.DOCUMENT:
                    wallet_document_check(locked, spec, value)
            except InputInvalid as error:
                errors[spec.name] = error.message
                continue
            working[spec.name] = value
            saved[spec.name] = value
        cleared = [name for name, value in saved.items() if value is None and name in self.answers]
        if cleared:
            Answer.objects.filter(quest=locked, field_name__in=cleared).delete()
        given = [
            Answer(quest=locked, field_name=name, value=value) for name, value in saved.items() if value is not None
        ]
        if given:
            # One statement for all of them: an insert, or an update of the answer already given.
            Answer.objects.bulk_create(
                given,
                update_conflicts=True,
                unique_fields=["quest", "field_name"],
                update_fields=["value", "updated_at"],
            )
        for name, value in saved.items():
            if value is None:
                self.answers.pop(name, None)
            else:
                self.answers[name] = value
        if saved:
            attachments_sync(locked, step, working)
            self.undo_broken_steps()
        return AnswersSaved(saved=saved, errors=errors)

    def undo_broken_steps(self) -> None:
        """A done step whose answers no longer hold (a required one cleared) is to be done again."""
        seen = visibility(self.revision, self.answers)
        for progress in self.progress.values():
            if progress.done_at is None:
                continue
            step = next((candidate for candidate in seen.steps if candidate.pk == progress.step_id), None)
            if step is not None and step_errors(step, seen):
                progress.done_at = None
                progress.verified = False
                progress.save(update_fields=["done_at", "verified", "updated_at"])

    def step_done(self, step: Step, events: QuestEvents | None) -> StepProgress:
        """What ``step_complete`` writes, the quest's current step moved on and saved."""
        locked = self.locked
        if step.kind == StepKind.AGENT_REVIEW:
            raise StepUnavailable(_("Cette étape est réalisée par le service instructeur."))
        seen = visibility(self.revision, self.answers)
        _check_visible(seen, step)
        errors = step_errors(step, seen)
        if errors:
            raise StepIncomplete(_("Cette étape n’est pas terminée : corrigez les erreurs indiquées."), errors)
        progress = self.progress.get(step.pk)
        if progress is None:
            # No other writer: every step progress write holds the quest's lock.
            progress = StepProgress.objects.create(
                quest=locked, step=step, done_at=timezone.now(), verified=step.kind in VERIFIED_KINDS
            )
            self.progress[step.pk] = progress
            if events is not None:
                events.steps_done.append(progress)
        elif progress.done_at is None:
            progress.done_at = timezone.now()
            progress.verified = step.kind in VERIFIED_KINDS
            progress.save(update_fields=["done_at", "verified", "updated_at"])
            if events is not None:
                events.steps_done.append(progress)
        done = self.done_step_ids()
        locked.current_step = _next_step(seen, step, done)
        locked.save(update_fields=_POSITION_FIELDS)
        if locked.state == QuestState.DRAFT and is_guided(self.revision) and completeness(seen, done).is_complete:
            _apply(
                locked,
                workflow.RULES_BY_NAME["complete"],
                actor=locked.citizen,
                role=ActorRole.CITIZEN,
                motivation="",
                events=events,
            )
        return progress


@atomic
def answers_save(*, quest: Quest, step: Step, data: Mapping[str, Any]) -> AnswersSaved:
    """Save a step's draft answers: each valid value is kept even when others are refused.

    Only inputs named in ``data`` change (an htmx save sends one); an empty value clears
    the answer. Inputs hidden by the answers are ignored.
    """
    write = _QuestWrite(quest)
    _check_editable(write.locked)
    step = write.step(step)
    result = write.answers_write(step, data)
    write.locked.current_step = step
    write.locked.save(update_fields=["current_step", "updated_at"])
    quest_sync(quest, write.locked)
    return result


# What a caller puts over the posted data once the quest is locked (the certified identity,
# ``actions.prefill.certified_data``): (locked quest, step, stored answers, data) -> data.
Certify = Callable[[Quest, Step, Mapping[str, Any], Mapping[str, Any]], Mapping[str, Any]]


@atomic
def step_save(
    *,
    quest: Quest,
    step: Step,
    data: Mapping[str, Any],
    complete: bool = False,
    events: QuestEvents | None = None,
    certify: Certify | None = None,
    edit: EditMark | None = None,
) -> StepSaved:
    """``answers_save`` then, when asked and all valid, ``step_complete``, on one lock and one read of each row.

    What is valid is kept even when the step cannot be marked done: its errors (or the problem
    that stopped it) are returned, not raised, and nothing of the completion is written before
    they are known.
    """
    write = _QuestWrite(quest)
    _check_editable(write.locked)
    if edit is not None:
        if edit_is_stale(write.locked, edit):
            return StepSaved(stale=True)
        edit_record(write.locked, edit)
    step = write.step(step)
    if certify is not None:
        data = certify(write.locked, step, write.answers, data)
    answered = write.answers_write(step, data)
    result = StepSaved(saved=answered.saved, errors=dict(answered.errors))
    if complete and not answered.errors:
        try:
            write.step_done(step, events)
        except StepIncomplete as error:
            result = StepSaved(saved=answered.saved, errors=dict(error.errors))
        except ProcedureError as error:
            result = StepSaved(saved=answered.saved, problem=error.message)
        else:
            result = StepSaved(saved=answered.saved, completed=True)
    if not result.completed:
        write.locked.current_step = step
        write.locked.save(update_fields=_POSITION_FIELDS)
    quest_sync(quest, write.locked)
    return result


def steps_recheck(*, quest: Quest) -> None:
    """After answers changed outside a step save (a wallet document deleted): undo the steps they broke."""
    _QuestWrite(quest).undo_broken_steps()


@atomic
def step_complete(*, quest: Quest, step: Step, events: QuestEvents | None = None) -> StepProgress:
    """Mark a step done once its visible inputs are all given and valid.

    Moves the quest to its next step to do; completes a guided quest whose last required
    step this was. Raises ``StepIncomplete`` with the errors by input name.
    """
    write = _QuestWrite(quest)
    _check_editable(write.locked)
    progress = write.step_done(write.step(step), events)
    quest_sync(quest, write.locked)
    return progress


@atomic
def step_reopen(*, quest: Quest, step: Step) -> bool:
    """A done step is to be done again: what made it done was undone elsewhere (an appointment cancelled).

    Only while the citizen may still edit the quest; idempotent. The quest's current step
    becomes the first one left to do. Returns whether the step was reopened.
    """
    locked = _lock(quest)
    if locked.state not in workflow.EDITABLE_STATES:
        return False
    reopened = StepProgress.objects.filter(quest=locked, step=step, done_at__isnull=False).update(
        done_at=None, verified=False, updated_at=timezone.now()
    )
    if reopened:
        seen = visibility(_revision(locked), _answers(locked))
        done = _done_step_ids(locked)
        todo = [item for item in seen.steps if item.pk not in done and item.kind != StepKind.AGENT_REVIEW]
        locked.current_step = todo[0] if todo else None
        locked.save(update_fields=["current_step", "updated_at"])
    quest_sync(quest, locked)
    return bool(reopened)


def _next_step(seen: Visibility, after: Step, done: set[int]) -> Step | None:
    todo = [step for step in seen.steps if step.pk not in done and step.kind != StepKind.AGENT_REVIEW]
    later = [step for step in todo if step.position > after.position]
    candidates = later or todo
    return candidates[0] if candidates else None


def is_guided(revision: ProcedureRevision) -> bool:
    """Done elsewhere with CiviQuest as a guide: no instructing service and no agent review step."""
    return revision.procedure.instructing_service_id is None and not any(
        step.kind == StepKind.AGENT_REVIEW for step in revision.steps.all()
    )


def _apply(
    quest: Quest,
    rule: workflow.Rule,
    *,
    actor: User,
    role: ActorRole,
    motivation: str,
    events: QuestEvents | None,
) -> QuestTransition:
    source = quest.state
    now = timezone.now()
    quest.state = rule.target
    if rule.target == QuestState.SUBMITTED:
        quest.submitted_at = now
    if rule.target in workflow.FINAL_STATES:
        quest.decided_at = now
    elif source in workflow.FINAL_STATES:
        quest.decided_at = quest.archived_at = None  # reopened: back in the inbox's tabs
    quest.save(update_fields=["state", "submitted_at", "decided_at", "archived_at", "updated_at"])
    transition = QuestTransition.objects.create(
        quest=quest,
        actor=actor,
        actor_role=role,
        at=now,
        from_state=source,
        to_state=rule.target,
        motivation=motivation.strip(),
    )
    # What follows a transition (deadlines, rewards, the citizen told) is the use case's explicit call.
    if events is not None:
        events.transitions.append(transition)
    return transition
