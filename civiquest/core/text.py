"""Text folding shared by every search of the project: names, addresses, the assistant's questions."""

from __future__ import annotations

import re
import unicodedata

NOT_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed, ligatures expanded (``Œuvre`` → ``oeuvre``)."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def search_key(text: str) -> str:
    """Folded, then only letters and digits separated by single spaces ("Jean-Élie  N'Guyen" → "jean elie n guyen")."""
    return " ".join(NOT_ALNUM_RE.sub(" ", fold(text)).split())
