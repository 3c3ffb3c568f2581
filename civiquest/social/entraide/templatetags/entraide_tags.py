"""The entraide box of a quest step: the step's best questions and a link to ask one (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from civiquest.social.entraide.selectors import step_questions

register = template.Library()


@register.inclusion_tag("citizen/entraide/_step_questions.html")
def step_entraide(procedure: Any, step: Any) -> dict[str, Any]:
    return {
        "procedure": procedure,
        "step": step,
        "questions": step_questions(procedure.pk, step.slug),
    }
