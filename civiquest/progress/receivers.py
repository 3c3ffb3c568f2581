"""What progress does when procedures change: tell the citizen."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from civiquest.procedures.events import quest_transitioned
from civiquest.procedures.models import QuestTransition
from civiquest.progress.notifications import quest_transition_notify


@receiver(quest_transitioned, dispatch_uid="progress.notify_quest_transition")
def notify_quest_transition(sender: Any, transition: QuestTransition, **kwargs: Any) -> None:
    quest_transition_notify(transition=transition)
