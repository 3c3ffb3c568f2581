"""What the agent's dossier page shows: a summary on top, the answers, the documents, the
corrections asked and what changed, the messages, notes, opinions and history, then the
decisions the agent may take ("Instruire").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.appointments.services import active_appointment
from civiquest.catalogue.conditions import visibility
from civiquest.catalogue.display import answer_shown
from civiquest.catalogue.models import FieldKind
from civiquest.catalogue.services import revision_loaded
from civiquest.documents.models import Document
from civiquest.instruction import attestation as attestations
from civiquest.instruction import corrections, deadlines, marks, opinions
from civiquest.instruction import selectors as instruction_selectors
from civiquest.instruction import services as instruction
from civiquest.instruction.models import ChangeRequest
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.selectors import quest_answers
from civiquest.social.mandates.selectors import quest_helper_actions
from civiquest.www.agent.forms import LabelForm, MessageForm, NoteForm, OpinionAskForm

# Decisions that tell the citizen and end (or reopen) the instruction: confirmed before they apply.
CONFIRMED_ACTIONS = frozenset({"accept", "reject", "close", "reopen"})


@dataclass
class AnswerRow:
    name: str
    label: str
    value: str
    document: Document | None = None
    to_fix: bool = False
    # What the agent typed beside it for a correction request not sent yet (the page shown again).
    draft_comment: str = ""


@dataclass
class StepAnswers:
    title: str
    slug: str
    rows: list[AnswerRow]
    to_fix: bool = False
    draft_comment: str = ""


@dataclass(frozen=True)
class Attachment:
    """A document given with the quest, and how the page shows it."""

    document: Document
    where: str

    @property
    def is_pdf(self) -> bool:
        return self.document.content_type == "application/pdf"

    @property
    def is_image(self) -> bool:
        return self.document.content_type.startswith("image/")


@dataclass
class QuestPage:
    steps: list[StepAnswers]
    attachments: list[Attachment]
    changes: list[corrections.FieldChange] = field(default_factory=list)


def quest_answers_page(
    quest: Quest, request: ChangeRequest | None = None, drafts: dict[str, str] | None = None
) -> QuestPage:
    """The answers by step (only the steps and inputs that apply), and the documents given."""
    revision = revision_loaded(quest.revision_id)
    answers = quest_answers(quest)
    seen = visibility(revision, answers)
    attached = instruction_selectors.attached_documents(quest=quest)
    titles = {document.pk: document.title for document in attached.values()}
    fix_targets = set(request.targets) if request else set()
    drafts = drafts or {}
    steps: list[StepAnswers] = []
    attachments: list[Attachment] = []
    for step in seen.steps:
        rows = []
        for spec in seen.inputs_of(step):
            document = attached.get((step.slug, spec.name)) if spec.kind == FieldKind.DOCUMENT else None
            if spec.name not in answers and document is None:
                continue
            value = answer_shown(spec, answers.get(spec.name), titles)
            rows.append(
                AnswerRow(spec.name, spec.label, value, document, spec.name in fix_targets, drafts.get(spec.name, ""))
            )
            if document is not None:
                attachments.append(Attachment(document, f"{step.title} — {spec.label}"))
        for (slug, name), document in attached.items():
            if slug == step.slug and not name:
                attachments.append(Attachment(document, step.title))
        if rows:
            target = f"step:{step.slug}"
            steps.append(StepAnswers(step.title, step.slug, rows, target in fix_targets, drafts.get(target, "")))
    return QuestPage(steps=steps, attachments=attachments)


def available_actions(quest: Quest, manager: bool) -> set[str]:
    state = quest.state
    actions = set()
    if state == QuestState.SUBMITTED:
        actions |= {"start_review", "close", "request_changes", "accept", "reject"}
    if state == QuestState.IN_REVIEW:
        actions |= {"request_changes", "accept", "reject", "close"}
    if state == QuestState.CHANGES_REQUESTED:
        actions.add("close")
    if state in (QuestState.ACCEPTED, QuestState.REJECTED, QuestState.CLOSED) and manager:
        actions.add("reopen")
    return actions


def next_action(quest: Quest, agent: User) -> str:
    """What is to be done next on the quest, in a few words, for the summary."""
    if quest.state == QuestState.SUBMITTED:
        if quest.assignee_id is None:
            return _("Prendre le dossier et le passer en instruction.")
        return _("Passer le dossier en instruction.")
    if quest.state == QuestState.IN_REVIEW:
        return _("Examiner les réponses et les pièces, puis décider.")
    if quest.state == QuestState.CHANGES_REQUESTED:
        return _("Attendre les corrections de l’usager : le délai d’instruction est suspendu.")
    return _("Aucune : le dossier est terminé.")


def comments_posted(data: Any) -> dict[str, str]:
    """The comments typed beside the answers to correct (``fix:<target>``), empty ones left out."""
    return {
        key.removeprefix("fix:"): value.strip()
        for key, value in data.items()
        if key.startswith("fix:") and isinstance(value, str) and value.strip()
    }


def quest_page_context(agent: User, found: Quest, forms: dict[str, Any]) -> dict[str, Any]:
    change_request = corrections.open_change_request(quest=found)
    last_request = change_request or corrections.last_change_request(quest=found)
    service_id = found.procedure.instructing_service_id or 0
    manager = instruction.is_manager(agent=agent, quest=found)
    values = forms.get("action_values", {})
    page = quest_answers_page(found, change_request, values.get("comments", {}))
    history = instruction_selectors.quest_history(quest=found)
    thread = instruction_selectors.quest_thread(quest=found)
    notes = instruction_selectors.quest_notes(quest=found)
    quest_opinions = opinions.opinions_of_quest(quest=found)
    return {
        "title": _("Dossier %(reference)s") % {"reference": found.reference},
        "quest": found,
        "citizen": found.citizen,
        "steps": page.steps,
        "attachments": page.attachments,
        "history": history,
        "helper_actions": quest_helper_actions(quest_id=found.pk),
        "thread": thread,
        "notes": notes,
        "quest_labels": instruction_selectors.quest_labels(quest=found),
        "labels": instruction.labels_of_service(service_id=service_id),
        "agents": instruction.agents_of_service(service_id=service_id),
        "change_request": change_request,
        "last_request": last_request,
        "changes": corrections.correction_changes(request=last_request, quest=found) if last_request else [],
        "actions": available_actions(found, manager),
        "next_action": next_action(found, agent),
        "appointment": active_appointment(quest=found),
        "deadline": deadlines.effective_deadline(found),
        "overdue": deadlines.is_overdue(found),
        "paused": found.deadline_paused_since is not None,
        "attestation": attestations.attestation_of(quest=found),
        "following": marks.is_following(agent=agent, quest=found),
        "message_form": forms.get("message") or MessageForm(),
        "note_form": forms.get("note") or NoteForm(),
        "label_form": forms.get("label") or LabelForm(),
        "opinions": quest_opinions,
        "opinion_form": forms.get("opinion") or OpinionAskForm(),
        "opinion_error": forms.get("opinion_error"),
        "action_error": forms.get("action_error"),
        "action_values": values,
    }
