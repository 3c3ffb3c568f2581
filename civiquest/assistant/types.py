"""The shapes passed between the assistant's parts: retrieval → answering → pages and API.

Retrieval (``civiquest.assistant.retrieval``) returns ``Passage``s; answering
(``civiquest.assistant.answering``) turns a question and passages into a ``Reply`` or a
stream of ``ReplyEvent``s; the chat pages and the API render those. Citations are built
here from the passages actually given, never by a model.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True)
class Passage:
    """One chunk of an official source, as retrieval found it for a question."""

    chunk_id: int
    source_id: int
    # "fiche" (service-public.fr) or "procedure" (our catalogue)
    source_kind: Literal["fiche", "procedure"]
    # Fiche ID ("F1234") or procedure slug ("passeport")
    source_key: str
    title: str
    url: str
    # The section titles leading to this chunk, outermost first.
    trail: tuple[str, ...]
    text: str
    score: float
    # The source's last update (a fiche's "dateModification"), shown with the answer.
    updated_on: datetime.date | None = None


@dataclass(frozen=True)
class Citation:
    id: str
    title: str
    url: str
    kind: Literal["fiche", "procedure"]
    updated_on: datetime.date | None = None

    def as_json(self) -> dict[str, str]:
        """The citation as stored with a message and sent to pages (the date as ISO 8601, or empty)."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "kind": self.kind,
            "updated_on": self.updated_on.isoformat() if self.updated_on else "",
        }


class Retriever(Protocol):
    def search(
        self,
        query: str,
        *,
        limit: int = 5,
        procedure_slug: str = "",
        kind: Literal["fiche", "procedure"] | None = None,
        sources: int | None = None,
    ) -> list[Passage]: ...


Outcome = Literal["answered", "low_confidence", "out_of_scope", "legal_case", "rate_limited"]


@dataclass(frozen=True)
class Reply:
    """What the assistant answers. ``text`` is plain text with quoted passages; never HTML."""

    text: str
    citations: tuple[Citation, ...]
    confidence: float
    provider: str
    outcome: Outcome = "answered"
    # A notice shown with the answer (e.g. the model was unavailable, extractive answer instead).
    notice: str = ""
    # Procedures the citizen may start from the answer (slugs); the assistant never acts.
    suggested_procedures: tuple[str, ...] = field(default_factory=tuple)
    # The catalogue procedures matching the question, shown apart ("Faire la démarche"): never
    # in ``citations``, whose slots are the official fiches.
    procedures: tuple[Citation, ...] = field(default_factory=tuple)
    # Source markers of a model's answer that named no source it was given, removed from ``text``
    # (``notice`` then says so).
    invalid_markers: int = 0


@dataclass(frozen=True)
class ReplyEvent:
    """One server-sent event of a streamed reply: sources first, then tokens, then done."""

    kind: Literal["sources", "token", "notice", "done"]
    data: str = ""
    citations: tuple[Citation, ...] = ()
    reply: Reply | None = None
    # On a "notice" event: drop the tokens received so far (the model failed midway; the extractive
    # answer follows in their place). The "done" event's reply is authoritative in any case.
    discard_tokens: bool = False
