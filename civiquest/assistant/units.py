"""What the extractive answer may quote from a passage: whole sentences and whole lists, no metadata.

``units(text)`` cuts a passage's text (as the importer wrote it: one paragraph or list item a
line, list items starting with "- ") into units, each quoted whole or not at all:

- a **sentence** of a paragraph (``civiquest.assistant.sentences``); one longer than
  ``MAX_SENTENCE_CHARS`` is left out, never cut; a sentence ending with ":" (a list's
  lead-in whose list is elsewhere) or with "…" (a description the feed cut) is left out;
- a **list**: the line introducing it (ending with ":") and its items; a list longer than
  ``MAX_LIST_CHARS`` is left out, except its items that are sentences by themselves;
- a **table row** ("cell | cell"), whole.

Metadata lines ("Mots-clés : …", "Voir aussi", "Références", "Pour en savoir plus"…) and the
list they introduce are never units. A unit of fewer than ``MIN_WORDS`` words ("Gratuit",
"15 ans") is marked ``short``: it answers only from a section whose title says what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civiquest.assistant.sentences import is_complete, split_sentences

MAX_SENTENCE_CHARS = 500
MAX_LIST_CHARS = 800
MIN_WORDS = 3
ITEM_PREFIX = "- "
_WORD_RE = re.compile(r"\w+", re.UNICODE)
METADATA_RE = re.compile(
    r"^(?:mots?[- ]cl[ée]s?|keywords?|tags?|voir aussi|r[ée]f[ée]rences?(?: juridiques)?|textes? de r[ée]f[ée]rence|"
    r"pour en savoir plus|sources?|liens? utiles?|services? en ligne|questions?[- ]r[ée]ponses?|"
    r"d[ée]finitions?|abr[ée]viations?|[àa] noter ici)\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage: ``text`` is exactly as in the passage (several lines for a list)."""

    text: str
    # For a list: the line introducing it ("" when none) and its items, without their "- ".
    lead_in: str = ""
    items: tuple[str, ...] = ()
    short: bool = False
    # A table row ("cell | cell"): quoted only where it answers the question's intent.
    row: bool = False

    @property
    def is_list(self) -> bool:
        return bool(self.items)


def is_metadata(line: str) -> bool:
    return bool(METADATA_RE.match(line.lstrip("-•* \t")))


def _words(text: str) -> int:
    return len(_WORD_RE.findall(text))


def _sentence_units(line: str) -> list[Unit]:
    if " | " in line:  # a table row: its cells only make sense together
        return [Unit(text=line, short=_words(line) < MIN_WORDS, row=True)] if len(line) <= MAX_SENTENCE_CHARS else []
    found = []
    for sentence in split_sentences(line):
        # Too long: left out, never cut. A lead-in without its list, or a sentence the feed cut: incomplete.
        if len(sentence) > MAX_SENTENCE_CHARS or sentence.endswith((":", "…")):
            continue
        found.append(Unit(text=sentence, short=_words(sentence) < MIN_WORDS))
    return found


def _list_units(lead_in: str, items: list[str], raw: str) -> list[Unit]:
    if not items:
        return []
    if len(raw) <= MAX_LIST_CHARS:
        return [Unit(text=raw, lead_in=lead_in, items=tuple(items))]
    # Too long to quote whole: only the items that stand as sentences on their own.
    return [
        Unit(text=item)
        for item in items
        if item[:1].isupper() and is_complete(item) and _words(item) >= MIN_WORDS and len(item) <= MAX_SENTENCE_CHARS
    ]


def units(text: str) -> list[Unit]:
    """The passage's quotable units, in reading order."""
    lines = [line.strip() for line in text.split("\n")]
    found: list[Unit] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line:
            index += 1
            continue
        follows_list = index + 1 < len(lines) and lines[index + 1].startswith(ITEM_PREFIX)
        if is_metadata(line):
            index += 1  # the label, and the list it introduces
            while index < len(lines) and lines[index].startswith(ITEM_PREFIX):
                index += 1
            continue
        if line.startswith(ITEM_PREFIX) or (line.endswith(":") and follows_list):
            lead_in = "" if line.startswith(ITEM_PREFIX) else line
            end = index if not lead_in else index + 1
            items = []
            while end < len(lines) and lines[end].startswith(ITEM_PREFIX):
                items.append(lines[end][len(ITEM_PREFIX) :].strip())
                end += 1
            found.extend(_list_units(lead_in, items, "\n".join(lines[index:end])))
            index = end
            continue
        found.extend(_sentence_units(line))
        index += 1
    return found
