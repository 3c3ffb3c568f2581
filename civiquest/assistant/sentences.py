"""French sentence boundaries, shared by the importer (chunks end between sentences) and the
extractive answer (it quotes whole sentences only).

``split_sentences`` returns the sentences of one line of text, each an exact substring of it:
a boundary is a ``.``, ``!``, ``?`` or ``…`` (with any closing quote or bracket) followed by a
space and a capital letter, a digit or an opening quote — except after an abbreviation
("M.", "art.", "n.", a single capital letter as in "article L. 123-4").
"""

from __future__ import annotations

import re

# End of a sentence: the punctuation, any closing marks, then the space before the next sentence.
_BOUNDARY_RE = re.compile(r"[.!?…]+[»”\"')\]]*(?=\s+[«“\"(\[]?\s?[A-ZÀ-ÖØ-Þ0-9])")
_LAST_WORD_RE = re.compile(r"(\w+)\.$")
ABBREVIATIONS = frozenset(
    {
        "m",
        "mm",
        "mme",
        "mmes",
        "mlle",
        "dr",
        "me",
        "pr",
        "st",
        "ste",
        "art",
        "arts",
        "al",
        "cf",
        "ex",
        "p",
        "pp",
        "n",
        "no",
        "chap",
        "min",
        "max",
        "env",
        "av",
        "bd",
        "fig",
        "hab",
        "tél",
        "tel",
        "ca",
        "resp",
        "réf",
        "ref",
        "suiv",
        "janv",
        "févr",
        "fev",
        "avr",
        "juil",
        "sept",
        "oct",
        "nov",
        "déc",
        "dec",
    }
)
# A sentence ends with one of these (a line may not: list items, labels, table rows).
TERMINAL_RE = re.compile(r"[.!?][»”\"')\]]*$")


def _is_abbreviation(text: str, end: int) -> bool:
    """Whether the period ending at ``end`` closes an abbreviation rather than a sentence."""
    if text[end - 1] != ".":
        return False
    match = _LAST_WORD_RE.search(text[:end])
    if match is None:
        return False
    word = match.group(1)
    # "L. 123-4", "J. Dupont": a lone capital is an initial or a code's book, never a sentence end.
    if len(word) == 1 and word.isupper():
        return True
    return word.lower() in ABBREVIATIONS


def split_sentences(line: str) -> list[str]:
    """The sentences of one line, stripped, in order; each an exact substring of ``line``."""
    sentences = []
    start = 0
    for match in _BOUNDARY_RE.finditer(line):
        end = match.end()
        if _is_abbreviation(line, match.start() + 1):
            continue
        piece = line[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    rest = line[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def is_complete(sentence: str) -> bool:
    """Whether a sentence ends as a sentence does (not cut, not a lead-in waiting for its list)."""
    return bool(TERMINAL_RE.search(sentence.rstrip()))
