"""The catalogue's refusals; each carries a translated French message."""

from __future__ import annotations

from collections.abc import Sequence

from civiquest.core.errors import ProcedureError


class RevisionFrozen(ProcedureError):
    """A published (or superseded) revision, its steps and its fields never change."""


class ProcedureNotPublished(ProcedureError):
    """Nobody can start a quest on a procedure that is not published."""


class RevisionInvalid(ProcedureError):
    """A draft revision that cannot be published, with every problem found."""

    def __init__(self, message: str, problems: Sequence[str]) -> None:
        super().__init__(message)
        self.problems = list(problems)
