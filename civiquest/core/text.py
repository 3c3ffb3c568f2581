"""The one text folding of the project: every search, the assistant's guardrails and retrieval.

``fold`` is what any comparison of French text ignoring case and accents goes through;
``search_key`` is the folded text reduced to words of letters and digits, what stored search
columns hold (migrations keep their own frozen copy: they must not change with the code).
"""

from __future__ import annotations

import re
import unicodedata

NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")
# Ligatures NFKD leaves alone, and typographic apostrophes and the non-breaking hyphen made plain.
_PLAIN = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "\u2019": "'", "\u2018": "'", "\u2011": "-"})


def fold(text: str) -> str:
    """Lower case, accents removed, ligatures expanded (``Œuvre`` → ``oeuvre``), ``’`` → ``'``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def search_key(text: str) -> str:
    """Folded, then only letters and digits separated by single spaces ("Jean-Élie  N'Guyen" → "jean elie n guyen")."""
    return " ".join(NOT_ALNUM_RE.sub(" ", fold(text)).split())
