"""A citizen's actions on their recommendations, and staff changing a rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import User
from civiquest.catalogue.models import Procedure
from civiquest.core.transactions import use_case
from civiquest.recommendations import rules, services
from civiquest.recommendations.models import Feedback, FeedbackKind, LifeEvent, Preferences, Rule

AUDIT_RULE_UPDATE = "recommendations.rule_update"


@use_case
def life_event_declare(*, citizen: User, code: str, occurred_on: dt.date, today: dt.date) -> tuple[LifeEvent, bool]:
    """Declare a life event (the same one twice is kept once): its procedures are recommended from now on."""
    return services.life_event_declare(citizen=citizen, code=code, occurred_on=occurred_on, today=today)


@use_case
def life_event_remove(*, citizen: User, event_id: int) -> LifeEvent | None:
    return services.life_event_remove(citizen=citizen, event_id=event_id)


@use_case
def recommendation_answer(
    *, citizen: User, procedure: Procedure, kind: FeedbackKind, today: dt.date, days: int = services.SNOOZE_DAYS
) -> Feedback:
    """ "Pas pour moi", "plus tard" or "déjà fait ailleurs" about a proposed procedure."""
    return services.feedback_give(citizen=citizen, procedure=procedure, kind=kind, today=today, days=days)


@use_case
def recommendation_restore(*, citizen: User, procedure: Procedure) -> bool:
    return services.feedback_withdraw(citizen=citizen, procedure=procedure)


@use_case
def recommendations_similar_switch(*, citizen: User, use_similar: bool) -> Preferences:
    return services.similar_switch(citizen=citizen, use_similar=use_similar)


@use_case
def recommendation_rule_update(*, actor: User, rule: Rule, changes: Mapping[str, Any], comment: str) -> Rule:
    """Staff change a rule: checked, a new revision, audited with the reason given."""
    before = rules.rule_content(rule)
    updated = rules.rule_update(rule=rule, author=actor, changes=changes, comment=comment)
    after = rules.rule_content(updated)
    audit_record(
        actor=actor,
        action=AUDIT_RULE_UPDATE,
        target=("recommendation_rule", rule.pk, rule.code),
        motivation=comment,
        details={"changed": sorted(name for name in after if before.get(name) != after.get(name))},
    )
    return updated
