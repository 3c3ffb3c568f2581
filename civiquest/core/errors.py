"""The base of every domain refusal a page can show to the person who caused it."""

from __future__ import annotations


class ProcedureError(Exception):
    """Base of the errors a view can show to the person who caused them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransientError(Exception):
    """An outside failure worth trying again later (an unreachable service): background tasks retry it."""
