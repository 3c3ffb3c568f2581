"""Domain events of procedures, for the apps that react to them (notifications, rewards).

Sent inside the transaction that made the change: a receiver's writes commit or roll back
with it, so a transition never exists without what it triggers. Receivers that talk to the
outside (email) defer that work with ``transaction.on_commit``.
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: transition (QuestTransition, with quest loaded)
quest_transitioned = Signal()
# kwargs: progress (StepProgress), quest (Quest)
step_completed = Signal()
