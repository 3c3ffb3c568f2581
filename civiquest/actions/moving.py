"""A citizen declares their move to the organisations they chose."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from civiquest.accounts.models import User
from civiquest.actions.follow import quest_events_follow
from civiquest.integrations.address.moving import services as moving
from civiquest.integrations.address.moving.models import MoveDeclaration
from civiquest.quests.models import Quest
from civiquest.quests.services import QuestEvents


# Django's atomic, not ``use_case``: the moving services catch a quest step that cannot be done
# and go on (the move is declared whatever the quest's state), so the quest writes keep their savepoints.
@transaction.atomic
def move_declare(*, quest: Quest, citizen: User, references: Mapping[str, str]) -> MoveDeclaration:
    """Declare the quest's move once (``MoveError`` otherwise); its declaration step is then done."""
    events = QuestEvents()
    declaration = moving.move_declare(quest=quest, citizen=citizen, references=references, events=events)
    quest_events_follow(events=events)
    return declaration
