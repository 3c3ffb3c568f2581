"""The refusals of quests and their state machine; each carries a translated French message."""

from __future__ import annotations

from collections.abc import Mapping

from civiquest.core.errors import ProcedureError


class HistoryIsAppendOnly(ProcedureError):
    """A quest's transition history is only ever added to."""


class RevisionPinned(ProcedureError):
    """A quest stays on the procedure and revision it started on."""


class QuestNotEditable(ProcedureError):
    """Answers and steps change only while the quest is a draft or awaits changes."""


class StepUnavailable(ProcedureError):
    """The step is not part of the quest's revision, is hidden by earlier answers, or is not the citizen's."""


class StepIncomplete(ProcedureError):
    """A step cannot be marked done: ``errors`` maps each input name to its message."""

    def __init__(self, message: str, errors: Mapping[str, str]) -> None:
        super().__init__(message)
        self.errors = dict(errors)


class IllegalTransition(ProcedureError):
    """The quest's state machine does not allow this change from the current state."""


class TransitionForbidden(IllegalTransition):
    """The transition exists, but not for this actor."""


class MotivationRequired(IllegalTransition):
    """This transition must be motivated (changes asked, rejection, closing, reopening)."""


class QuestIncomplete(IllegalTransition):
    """The quest cannot be submitted or completed yet.

    ``steps`` maps the slug of each required step not done to its message, ``fields`` maps
    each missing or invalid input name to its message.
    """

    def __init__(self, message: str, *, steps: Mapping[str, str], fields: Mapping[str, str]) -> None:
        super().__init__(message)
        self.steps = dict(steps)
        self.fields = dict(fields)
