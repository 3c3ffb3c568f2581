"""The quest lifecycle, as an explicit state machine.

::

    draft ──submit──▶ submitted ──start_review──▶ in_review ──accept──▶ accepted
      │                  ▲   │                     │   │ └──reject──▶ rejected
      │                  │   │                     │   └─request_changes─▶ changes_requested
      │                  │   └──close──▶ closed ◀──┘                              │
      │                  └─────────────resubmit────────────────────────────────────┘
      └──complete──▶ completed        (guided procedures: no service, no agent review)

    changes_requested ──close──▶ closed;   accepted | rejected | closed ──reopen──▶ in_review

Each rule says who may take it (the quest's citizen, an agent of the instructing service,
or a manager of that service) and whether it must be motivated. What else a rule needs
(a complete quest, an instructed or guided procedure) is checked by the services, which
also lock the quest row and write the history. This module reads memberships only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, ServiceMembership, ServiceRole, User
from civiquest.quests.errors import IllegalTransition, MotivationRequired, TransitionForbidden
from civiquest.quests.models import ActorRole, Quest, QuestState

S = QuestState


@dataclass(frozen=True)
class Rule:
    name: str
    sources: frozenset[str]
    target: str
    by: ActorRole
    motivation_required: bool = False


RULES: tuple[Rule, ...] = (
    Rule("submit", frozenset({S.DRAFT}), S.SUBMITTED, ActorRole.CITIZEN),
    Rule("resubmit", frozenset({S.CHANGES_REQUESTED}), S.SUBMITTED, ActorRole.CITIZEN),
    Rule("start_review", frozenset({S.SUBMITTED}), S.IN_REVIEW, ActorRole.AGENT),
    Rule("request_changes", frozenset({S.IN_REVIEW}), S.CHANGES_REQUESTED, ActorRole.AGENT, True),
    Rule("accept", frozenset({S.IN_REVIEW}), S.ACCEPTED, ActorRole.AGENT),
    Rule("reject", frozenset({S.IN_REVIEW}), S.REJECTED, ActorRole.AGENT, True),
    Rule("close", frozenset({S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED}), S.CLOSED, ActorRole.AGENT, True),
    Rule("complete", frozenset({S.DRAFT}), S.COMPLETED, ActorRole.CITIZEN),
    Rule("reopen", frozenset({S.ACCEPTED, S.REJECTED, S.CLOSED}), S.IN_REVIEW, ActorRole.MANAGER, True),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}
# States where the citizen may still change answers and steps.
EDITABLE_STATES = frozenset({S.DRAFT, S.CHANGES_REQUESTED})
# States that end instruction (until a manager reopens the quest).
FINAL_STATES = frozenset({S.ACCEPTED, S.REJECTED, S.CLOSED, S.COMPLETED})


def rule_for(source: str, target: str) -> Rule | None:
    """The rule taking a quest from ``source`` to ``target``; at most one exists."""
    for rule in RULES:
        if source in rule.sources and rule.target == target:
            return rule
    return None


def rules_from(source: str) -> list[Rule]:
    return [rule for rule in RULES if source in rule.sources]


def state_label(state: str) -> str:
    return str(QuestState(state).label) if state in QuestState.values else state


def illegal(source: str, target: str) -> IllegalTransition:
    if target == S.SUBMITTED and source not in EDITABLE_STATES:
        return IllegalTransition(_("Ce dossier a déjà été déposé."))
    if source == target:
        return IllegalTransition(_("Le dossier est déjà dans l’état « %(state)s ».") % {"state": state_label(source)})
    return IllegalTransition(
        _("Un dossier dans l’état « %(source)s » ne peut pas passer à l’état « %(target)s ».")
        % {"source": state_label(source), "target": state_label(target)}
    )


def actor_role(rule: Rule, actor: User, quest: Quest, *, mandate_checked: bool = False) -> ActorRole:
    """The capacity in which ``actor`` takes ``rule`` on ``quest``, or ``TransitionForbidden``.

    ``quest.procedure`` should be loaded: the instructing service is read from it.
    ``mandate_checked``: the caller (a use case) has checked that ``actor`` holds an active
    mandate of the quest's citizen covering its procedure; only then may a helper take the
    citizen's moves, as ``HELPER``. Nothing here infers it.
    """
    if not actor.is_active:
        raise TransitionForbidden(_("Votre compte ne permet pas d’agir sur ce dossier."))
    if rule.by == ActorRole.CITIZEN:
        if actor.pk == quest.citizen_id:
            return ActorRole.CITIZEN
        if mandate_checked and actor.role == Role.CITIZEN:
            return ActorRole.HELPER
        raise TransitionForbidden(_("Seul l’usager qui a créé ce dossier peut faire cette action."))
    service_id = quest.procedure.instructing_service_id
    if actor.role == Role.AGENT and service_id is not None:
        memberships = ServiceMembership.objects.filter(user=actor, service_id=service_id)
        if rule.by == ActorRole.MANAGER:
            if memberships.filter(role=ServiceRole.MANAGER).exists():
                return ActorRole.MANAGER
            raise TransitionForbidden(_("Seul un responsable du service instructeur peut rouvrir ce dossier."))
        role = memberships.values_list("role", flat=True).first()
        if role is not None:
            return ActorRole.MANAGER if role == ServiceRole.MANAGER else ActorRole.AGENT
    raise TransitionForbidden(_("Seuls les agents du service instructeur peuvent faire cette action."))


def check_motivation(rule: Rule, motivation: str) -> None:
    if rule.motivation_required and not motivation.strip():
        raise MotivationRequired(_("Motivez cette décision : l’usager en sera informé."))
