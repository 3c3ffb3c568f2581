"""The quest's state machine applied: a transition checked on the locked row, then written."""

from __future__ import annotations

from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.catalogue.conditions import completeness, visibility
from civiquest.core.transactions import atomic
from civiquest.quests import workflow
from civiquest.quests.errors import IllegalTransition, QuestIncomplete
from civiquest.quests.models import Answer, Quest, QuestDocument, QuestState, QuestTransition
from civiquest.quests.services import (
    QuestEvents,
    _answers,
    _apply,
    _done_step_ids,
    _lock,
    _revision,
    is_guided,
    quest_sync,
)


def quest_submit(
    *, quest: Quest, actor: User, events: QuestEvents | None = None, mandate_checked: bool = False
) -> QuestTransition:
    """Submit (or resubmit after changes were asked) the quest to its instructing service; idempotent.

    ``mandate_checked``: see ``workflow.actor_role`` (a helper acting under a mandate)."""
    return quest_transition(
        quest=quest, to_state=QuestState.SUBMITTED, actor=actor, events=events, mandate_checked=mandate_checked
    )


@atomic
def quest_transition(
    *,
    quest: Quest,
    to_state: QuestState | str,
    actor: User,
    motivation: str = "",
    events: QuestEvents | None = None,
    mandate_checked: bool = False,
) -> QuestTransition:
    """Move the quest to ``to_state`` if the state machine allows it for this actor.

    Locks the quest row, checks the rule, its actor and its motivation, and what the
    target needs (a complete quest to submit or complete), then writes the history row and
    returns it. Asking for the state the quest is already in returns the transition that
    brought it there. Raises ``IllegalTransition`` (or a subclass) otherwise.
    """
    locked = _lock(quest)
    transition = transition_locked(
        locked=locked,
        to_state=to_state,
        actor=actor,
        motivation=motivation,
        events=events,
        mandate_checked=mandate_checked,
    )
    quest_sync(quest, locked)
    return transition


def transition_locked(
    *,
    locked: Quest,
    to_state: QuestState | str,
    actor: User,
    motivation: str = "",
    events: QuestEvents | None = None,
    mandate_checked: bool = False,
) -> QuestTransition:
    """``quest_transition`` on a quest its caller locked in this transaction (``select_for_update``,
    with its procedure): the row is not read again. The transition's ``quest`` is ``locked``."""
    target = str(to_state)
    if locked.state == target:
        return _idempotent(locked, target, actor, mandate_checked=mandate_checked)
    rule = workflow.rule_for(locked.state, target)
    if rule is None:
        raise workflow.illegal(locked.state, target)
    role = workflow.actor_role(rule, actor, locked, mandate_checked=mandate_checked)
    workflow.check_motivation(rule, motivation)
    if rule.target in (QuestState.SUBMITTED, QuestState.COMPLETED):
        _check_complete(locked, rule)
    return _apply(locked, rule, actor=actor, role=role, motivation=motivation, events=events)


def _idempotent(quest: Quest, target: str, actor: User, *, mandate_checked: bool = False) -> QuestTransition:
    last = QuestTransition.objects.filter(quest=quest).order_by("-at", "-pk").first()
    rule = workflow.rule_for(last.from_state, target) if last is not None and last.from_state else None
    if last is None or rule is None or last.to_state != target:
        raise workflow.illegal(quest.state, target)
    workflow.actor_role(rule, actor, quest, mandate_checked=mandate_checked)
    return last


def _check_complete(quest: Quest, rule: workflow.Rule) -> None:
    revision = _revision(quest)
    guided = is_guided(revision)
    if rule.target == QuestState.SUBMITTED and guided:
        raise IllegalTransition(
            _("Cette démarche se fait sur le site officiel : CiviQuest vous y guide, mais ne la transmet pas.")
        )
    if rule.target == QuestState.COMPLETED and not guided:
        raise IllegalTransition(_("Ce dossier doit être déposé auprès du service instructeur."))
    answers = _answers(quest)
    seen = visibility(revision, answers)
    report = completeness(seen, _done_step_ids(quest))
    if not report.is_complete:
        raise QuestIncomplete(
            _("Le dossier n’est pas complet : terminez les étapes et corrigez les réponses indiquées."),
            steps=report.steps,
            fields=report.fields,
        )
    if rule.target == QuestState.SUBMITTED:
        # What the conditions hide is not part of the file the service receives.
        hidden = set(answers) - set(seen.answers)
        if hidden:
            Answer.objects.filter(quest=quest, field_name__in=hidden).delete()
            QuestDocument.objects.filter(quest=quest, input_name__in=hidden).delete()
