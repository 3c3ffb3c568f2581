"""Template tags that show the citizen what the service asked, on the quest and step pages.

``{% load instruction_tags %}``, then ``{% quest_instruction_panel quest %}`` on the quest
page and ``{% step_fixes quest step %}`` on a step page.
"""

from __future__ import annotations

from typing import Any

from django import template

from civiquest.catalogue.models import Step
from civiquest.instruction import attestation, corrections
from civiquest.instruction.models import QuestMessage
from civiquest.quests.models import Quest, QuestState

register = template.Library()


def fixes_of(quest: Quest) -> dict[str, Any]:
    """The open change request, with what it points at grouped by step: each answer's label and
    the service's comment (a whole step: its own comment)."""
    request = corrections.open_change_request(quest=quest) if quest.state == QuestState.CHANGES_REQUESTED else None
    if request is None:
        return {"request": None, "steps": []}
    labels = corrections.correctable_targets(quest)
    steps: dict[str, dict[str, Any]] = {}
    for step in quest.revision.steps.all():
        entries = [
            {"label": labels[target].split(" — ", 1)[-1], "comment": request.comments.get(target, "")}
            for target in request.targets
            if target in labels
            and (target == f"step:{step.slug}" or target.split(".")[0] == step.slug or _field_of(step, target))
        ]
        if entries:
            steps[step.slug] = {"step": step, "items": entries}
    return {"request": request, "steps": list(steps.values()), "partial": bool(request.targets)}


def _field_of(step: Step, target: str) -> bool:
    return any(field_.name == target for field_ in step.fields.all())


@register.inclusion_tag("citizen/instruction/_panel.html", takes_context=True)
def quest_instruction_panel(context: template.Context, quest: Quest) -> dict[str, Any]:
    """On the quest page: what to fix, the thread (unread count), the attestation.

    The thread and the attestation exist only between the citizen and an instructing service:
    a guided quest has neither, and a trusted helper under mandate (who acts on the steps
    only) is shown neither, so no link leads to a page that would answer 404.
    """
    request = context.get("request")
    own = request is not None and request.user.pk == quest.citizen_id
    instructed = own and quest.procedure.instructing_service_id is not None
    unread = (
        QuestMessage.objects.filter(quest=quest, from_agent=True, read_by_citizen_at__isnull=True).count()
        if instructed and quest.state != QuestState.DRAFT
        else 0
    )
    return {
        "quest": quest,
        "fixes": fixes_of(quest),
        "unread": unread,
        "has_thread": instructed and quest.state != QuestState.DRAFT,
        "attestation": (
            attestation.attestation_of(quest=quest) if instructed and quest.state == QuestState.ACCEPTED else None
        ),
    }


@register.inclusion_tag("citizen/instruction/_step_fixes.html")
def step_fixes(quest: Quest, step: Step) -> dict[str, Any]:
    """On a step page: what the service asked to fix in this step, if anything."""
    fixes = fixes_of(quest)
    items: list[dict[str, str]] = next((entry["items"] for entry in fixes["steps"] if entry["step"].pk == step.pk), [])
    return {"request": fixes["request"] if items else None, "items": items}
