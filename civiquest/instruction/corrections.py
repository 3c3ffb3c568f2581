"""Corrections per field: what the agent may point at, what it opens to the citizen, and what changed.

An agent asks to correct some answers (inputs) or whole steps, each with a comment. The quest
then lets the citizen change those only (``quests.corrections``), and the answers they cover
are kept as they were when asked and when the citizen resubmitted, for a diff per field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from civiquest.catalogue.conditions import Visibility, visibility
from civiquest.catalogue.display import answer_shown
from civiquest.catalogue.inputs import step_inputs
from civiquest.catalogue.models import Step, StepKind
from civiquest.catalogue.services import revision_content
from civiquest.documents.models import Document
from civiquest.instruction.marks import follow_ensure
from civiquest.instruction.models import ChangeRequest
from civiquest.quests.corrections import inputs_open, step_target
from civiquest.quests.models import Answer, Quest, QuestDocument

# Steps the citizen has nothing to give in: never pointed at.
_NOT_CORRECTABLE = (StepKind.INFO, StepKind.AGENT_REVIEW)


def quest_visibility(quest: Quest) -> Visibility:
    """The quest's steps and inputs as its answers make them (one read of the answers)."""
    answers = dict(Answer.objects.filter(quest=quest).values_list("field_name", "value"))
    return visibility(revision_content(quest.revision), answers)


def _correctable_steps(seen: Visibility) -> list[Step]:
    return [step for step in seen.steps if step.kind not in _NOT_CORRECTABLE]


def correctable_targets(quest: Quest, seen: Visibility | None = None) -> dict[str, str]:
    """What the agent may ask to fix in this quest: ``{target: label}``, in the order of the revision.

    Only the steps and inputs that apply to it, as its answers make them (a step skipped by a
    condition is not offered).
    """
    seen = seen or quest_visibility(quest)
    targets: dict[str, str] = {}
    for step in _correctable_steps(seen):
        targets[step_target(step.slug)] = _("Étape « %(title)s » (en entier)") % {"title": step.title}
        for spec in seen.inputs_of(step):
            targets[spec.name] = f"{step.title} — {spec.label}"
    return targets


def _covered_inputs(seen: Visibility, targets: Iterable[str]) -> set[str]:
    """The inputs the targets open: an input itself, or every input of a whole step."""
    wanted = set(targets)
    names = {target for target in wanted if not target.startswith("step:")}
    for step in _correctable_steps(seen):
        if step_target(step.slug) in wanted:
            names |= {spec.name for spec in seen.inputs_of(step)}
    return names


def answers_snapshot(quest: Quest, targets: Iterable[str], seen: Visibility | None = None) -> dict[str, Any]:
    """The answers the targets cover, and the documents given for the whole steps among them."""
    targets = list(targets)
    seen = seen or quest_visibility(quest)
    names = _covered_inputs(seen, targets)
    answers = {name: value for name, value in seen.answers.items() if name in names}
    slugs = [target.removeprefix("step:") for target in targets if target.startswith("step:")]
    if slugs:
        for slug, document_id in QuestDocument.objects.filter(
            quest=quest, step_slug__in=slugs, input_name=""
        ).values_list("step_slug", "document_id"):
            answers.setdefault(step_target(slug), []).append(document_id)
    return answers


def corrections_open(*, locked: Quest, request: ChangeRequest, seen: Visibility | None = None) -> None:
    """A change request made (its ``answers_before`` taken by the caller, ``answers_snapshot``): its
    inputs opened to the citizen (all of them when it names none). The agent who asked follows
    the quest: they are told when the citizen resubmits. The caller holds the quest's lock."""
    if request.requested_by is not None:
        follow_ensure(agent=request.requested_by, quest=locked)
    if not request.targets:
        inputs_open(locked=locked, names=None)
        return
    seen = seen or quest_visibility(locked)
    steps = [target for target in request.targets if target.startswith("step:")]
    inputs_open(locked=locked, names=[*_covered_inputs(seen, request.targets), *steps])


def corrections_close(*, quest: Quest, at: Any) -> None:
    """The citizen resubmitted (or the quest was closed): the open request keeps the answers as
    they are now, and every input is the citizen's again for a later request."""
    for request in ChangeRequest.objects.filter(quest_id=quest.pk, closed_at__isnull=True):
        request.answers_after = answers_snapshot(quest, request.targets) if request.targets else None
        request.closed_at = at
        request.save(update_fields=["answers_after", "closed_at"])
    inputs_open(locked=quest, names=None)


def open_change_request(*, quest: Quest) -> ChangeRequest | None:
    return ChangeRequest.objects.filter(quest=quest, closed_at__isnull=True).order_by("-created_at", "-pk").first()


def last_change_request(*, quest: Quest) -> ChangeRequest | None:
    """The open request, or else the latest one (what the agent's page compares)."""
    return (
        open_change_request(quest=quest)
        or ChangeRequest.objects.filter(quest=quest).order_by("-created_at", "-pk").first()
    )


def comments_for_citizen(*, quest: Quest) -> dict[str, str]:
    """While corrections are asked: the agent's comment by input (and by ``step:<slug>``)."""
    request = open_change_request(quest=quest)
    return dict(request.comments) if request is not None else {}


# --- What the agent reads -------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One answer a change request covered: as asked, and as it is after the citizen's correction."""

    target: str
    label: str
    comment: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def correction_changes(*, request: ChangeRequest, quest: Quest) -> list[FieldChange]:
    """What changed in the answers a request covered, per input (a whole step: each of its inputs).

    Compared with the answers at the citizen's resubmission, or with the current ones while the
    request is open. A few queries, whatever the number of fields.
    """
    if not request.targets:
        return []
    after = request.answers_after if request.answers_after is not None else answers_snapshot(quest, request.targets)
    before = request.answers_before
    revision = revision_content(quest.revision)
    documents = _documents_named([*before.values(), *after.values()])
    changes: list[FieldChange] = []
    for step in revision.steps.all():
        whole = step_target(step.slug) in request.targets
        step_comment = request.comments.get(step_target(step.slug), "")
        for spec in step_inputs(step):
            if not whole and spec.name not in request.targets:
                continue
            label = f"{step.title} — {spec.label}"
            comment = request.comments.get(spec.name, "") or step_comment
            changes.append(
                FieldChange(
                    target=spec.name,
                    label=label,
                    comment=comment,
                    before=answer_shown(spec, before.get(spec.name), documents),
                    after=answer_shown(spec, after.get(spec.name), documents),
                )
            )
        if whole and (before.get(step_target(step.slug)) or after.get(step_target(step.slug))):
            changes.append(
                FieldChange(
                    target=step_target(step.slug),
                    label=_("%(title)s — documents de l’étape") % {"title": step.title},
                    comment=step_comment,
                    before=_titles(before.get(step_target(step.slug)), documents),
                    after=_titles(after.get(step_target(step.slug)), documents),
                )
            )
    return changes


def _documents_named(values: Iterable[Any]) -> Mapping[int, str]:
    ids: set[int] = set()
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            ids.add(value)
        elif isinstance(value, list):
            ids |= {item for item in value if isinstance(item, int) and not isinstance(item, bool)}
    if not ids:
        return {}
    return dict(Document.objects.filter(pk__in=ids).values_list("pk", "title"))


def _titles(value: Any, documents: Mapping[int, str]) -> str:
    if not value:
        return _("Aucun document")
    return ", ".join(sorted(documents.get(item, _("Document retiré")) for item in value))
