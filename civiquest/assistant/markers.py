"""A model's source markers ("[1]", "[2, 3]", "[source 2]") checked against the sources it was given.

The model is told to cite the sources sent to it by their number (``providers.build_messages``
numbers them from 1). A marker naming a number that was not sent points the citizen to nothing,
or to another source: it is removed, and the reply says so. A valid number is rewritten as
the position of its source among the citations the page shows (two passages of one fiche are
one citation), so "[n]" is always the n-th source listed.

``MarkerFilter`` works on a stream: a marker may be split across the model's pieces ("[", "1",
"]"), so a "[" that could still become a marker is held back until it is complete, and so is
the space before it (an invalid marker is removed with it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from civiquest.assistant.types import Citation, Passage

MARKER_RE = re.compile(
    r"[ \t]*\[\s*(?:sources?\s*:?\s*)?(?P<numbers>\d+(?:\s*[,;]\s*(?:sources?\s*)?\d+)*)\s*\]", re.IGNORECASE
)
# A "[" this far from the end of the text with no "]" after it is no marker: released as it is.
MAX_MARKER_CHARS = 40


def marker_targets(passages: Sequence[Passage], citations: Sequence[Citation]) -> dict[int, int]:
    """Source number sent to the model → position (from 1) of its source among the citations shown."""
    positions = {(citation.kind, citation.id): position for position, citation in enumerate(citations, start=1)}
    targets = {}
    for number, passage in enumerate(passages, start=1):
        position = positions.get((passage.source_kind, passage.source_key))
        if position is not None:
            targets[number] = position
    return targets


def invalid_markers_notice() -> str:
    return _(
        "Cette réponse renvoyait à des sources qui ne lui avaient pas été données : ces renvois ont été "
        "retirés. Vérifiez l'information dans les sources citées."
    )


class MarkerFilter:
    """Feed it the model's pieces: it returns the text with markers checked, holding back what may be one."""

    def __init__(self, targets: Mapping[int, int]) -> None:
        self.targets = targets
        self.pending = ""
        # Numbers the model cited that were not among the sources it was given.
        self.invalid = 0

    def feed(self, piece: str) -> str:
        text = self.pending + piece
        cut = len(text)
        opening = text.rfind("[")
        if opening != -1 and "]" not in text[opening:] and len(text) - opening <= MAX_MARKER_CHARS:
            cut = opening
        # The spaces before a possible marker go with it (an invalid marker is removed with its space).
        cut = len(text[:cut].rstrip(" \t"))
        ready, self.pending = text[:cut], text[cut:]
        return self._checked(ready)

    def flush(self) -> str:
        ready, self.pending = self.pending, ""
        return self._checked(ready)

    def _checked(self, text: str) -> str:
        return MARKER_RE.sub(self._replacement, text)

    def _replacement(self, match: re.Match[str]) -> str:
        numbers = [int(number) for number in re.findall(r"\d+", match.group("numbers"))]
        shown = list(dict.fromkeys(self.targets[number] for number in numbers if number in self.targets))
        self.invalid += sum(1 for number in numbers if number not in self.targets)
        if not shown:
            return ""
        spaces = match.group()[: len(match.group()) - len(match.group().lstrip(" \t"))]
        return f"{spaces}[{', '.join(str(position) for position in shown)}]"
