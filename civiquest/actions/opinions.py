"""Expert opinions (“avis”): ask a colleague of any service, and answer once (see ``instruction.opinions``)."""

from __future__ import annotations

from typing import Any

from civiquest.accounts.models import User
from civiquest.core.transactions import use_case
from civiquest.instruction import opinions
from civiquest.instruction.models import OpinionRequest
from civiquest.quests.models import Quest


@use_case
def opinion_request(*, quest: Quest, actor: User, expert_email: str, question: str) -> OpinionRequest:
    """An agent who instructs the quest asks the active agent with this e-mail for an opinion."""
    return opinions.opinion_request(quest=quest, actor=actor, expert_email=expert_email, question=question)


@use_case
def opinion_answer(*, opinion_id: Any, expert: User, answer: str) -> OpinionRequest:
    """The expert answers the request, once; the asker is told."""
    return opinions.opinion_answer(opinion_id=opinion_id, expert=expert, answer=answer)
