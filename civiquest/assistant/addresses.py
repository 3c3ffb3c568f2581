"""Postal addresses in a text, at street level: what locates a person's home.

Masked: a street address ("12 rue des Lilas", "3 bis, avenue Victor Hugo"; a street without
a number only after a word saying someone lives there: "j'habite rue des Lilas"), the postal
code and commune that follow it or stand on their own ("75011 Paris", "98845 Nouméa cedex"),
the complements next to it ("appartement 12", "bât B"), a "lieu-dit", a "BP". Kept, by
decision: a commune on its own ("mairie de Paris", "je déménage à Lyon"), which the question
often needs (which mairie, which CAF) and which does not locate anyone.
"""

from __future__ import annotations

import re

from civiquest.assistant.identifiers import Found
from civiquest.assistant.wording import PARTICLES, Token, is_stop, tokenize
from civiquest.core.text import fold

KIND = "address"

STREET_TYPES = frozenset(
    """
    rue r avenue av ave bd boulevard blvd allee allees chemin ch impasse imp place pl quai route rte cours
    square sq passage lotissement lot residence res cite sentier voie rond-point faubourg fbg hameau
    lieu-dit lieudit chaussee esplanade promenade mail parvis villa montee traverse ruelle sente clos domaine
    venelle carrefour za zi zac zone
    """.split()
)
# Street types that say "address" even without a number or a word of dwelling before them.
_SELF_EVIDENT_TYPES = frozenset({"lieu-dit", "lieudit", "lotissement", "hameau", "residence"})
# Words saying where someone lives, before a street without a number.
_DWELLING_WORDS = frozenset(
    """
    habite habites habitons habitez habitent habitait habitais domicilie domiciliee domicilies reside
    residons residez residait vis vit vivons vivent vivait loge logeons logez demeure demeurant adresse
    """.split()
)
_SHORT_TYPES = frozenset({"r", "pl", "ch", "res", "lot", "imp"})
_NUMBER_SUFFIXES = frozenset({"bis", "ter", "quater", "a", "b", "c", "d"})
# A street name runs at most this many words ("avenue du Général de Gaulle").
_MAX_STREET_WORDS = 6

# A postal code: départements 01-95, overseas 97x and 98x; "75 011" too.
_POSTCODE_RE = re.compile(r"(?<![\w,.])(?:0[1-9]|[1-8]\d|9[0-5]|97|98)(?:\d{3}| \d{3})(?![\w,.]|\s?(?:€|euros?\b))")
_WORD_TAIL = r"[^\W\d_]*(?:['’\-][^\W\d_]+)*"
# The commune after a postal code: its first word in any case, then capitalised words ("Aix-en-Provence",
# "Boulogne Billancourt", "Saint-Denis"), then "cedex".
_COMMUNE_RE = re.compile(
    rf"[ \t]+(?P<first>[^\W\d_]{_WORD_TAIL})"
    rf"(?:[ \t]+(?:(?:sur|sous|en|lès|lez|les|le|la|de|du|des)[ \t]+)?[A-ZÀ-Ý]{_WORD_TAIL})*"
    r"(?:[ \t]+(?i:cedex)(?:[ \t]+\d{1,2})?)?"
)
_NOT_COMMUNES = frozenset({"euros", "euro", "habitants", "personnes", "km", "metres", "ans", "mois", "fois"})
_CODE_WORDS_RE = re.compile(r"(?:code postal|\bcp)\s*:?\s*$", re.IGNORECASE)
_COMPLEMENT_RE = re.compile(
    r"\b(?i:appartement|appart|appt|apt|b[âa]timent|b[âa]t|escalier|esc|[ée]tage|porte|logement)\.?"
    r"\s*(?:n°\s*)?(?:\d{1,4}[A-Z]?|[A-Z]\d{0,3})\b"
)
_POST_BOX_RE = re.compile(r"\b(?:BP|B\.P\.|bo[îi]te postale|CS|TSA)\s*(?:n°\s*)?\d{1,5}\b", re.IGNORECASE)
# What may separate two parts of one address: "12 rue X, 75011 Paris", "bât B, 12 rue X".
_JOINT_RE = re.compile(r"^[ \t]*[,\-–]?[ \t]*$")


def _street_start(tokens: list[Token], index: int) -> int | None:
    """Where the address whose street type is ``tokens[index]`` starts, or None if it is no address."""
    start = index
    cursor = index - 1
    if not tokens[index].glued:
        cursor = -1
    elif cursor >= 0 and tokens[cursor].text == ",":
        cursor -= 1
    if cursor >= 0 and tokens[cursor].folded in _NUMBER_SUFFIXES and tokens[cursor].glued:
        if cursor - 1 >= 0 and tokens[cursor - 1].text.isdigit():
            cursor -= 1
    if cursor >= 0 and tokens[cursor].text.isdigit() and len(tokens[cursor].text) <= 4:
        start = cursor
        if cursor >= 2 and tokens[cursor - 1].text == "°" and tokens[cursor - 2].folded == "n":
            start = cursor - 2
        return start
    folded = tokens[index].folded
    if folded in _SELF_EVIDENT_TYPES and index + 1 < len(tokens) and tokens[index + 1].capitalised:
        return start
    before = {token.folded for token in tokens[max(0, index - 4) : index]}
    return start if before & _DWELLING_WORDS else None


def _street_end(tokens: list[Token], index: int) -> int:
    """The index after the last word of the street name that follows the street type at ``index``."""
    end = index + 1
    words = 0
    cursor = index + 1
    while cursor < len(tokens) and words < _MAX_STREET_WORDS:
        token = tokens[cursor]
        if not token.glued or not token.is_word:
            break
        if token.folded in PARTICLES:
            # A particle continues the name only if a word follows it ("rue de la Gare").
            cursor += 1
            continue
        elided = token.folded.startswith(("d'", "l'"))  # "rue du Château d'eau", "place de l'Église"
        if elided or token.capitalised or not is_stop(token):
            end, words = cursor + 1, words + 1
            cursor += 1
            continue
        break
    return end


def _streets(text: str, tokens: list[Token]) -> list[Found]:
    found = []
    for index, token in enumerate(tokens):
        if token.folded not in STREET_TYPES or not token.is_word:
            continue
        # An abbreviation's dot ("av. Foch", "r. Pasteur") belongs to the street type.
        last = index + 1 if index + 1 < len(tokens) and tokens[index + 1].text == "." else index
        # Short abbreviations are street types only before a capitalised name ("r. Pasteur").
        if token.folded in _SHORT_TYPES and not (last + 1 < len(tokens) and tokens[last + 1].capitalised):
            continue
        start = _street_start(tokens, index)
        if start is None:
            continue
        end = _street_end(tokens, last)
        if end > last + 1:
            found.append(Found(tokens[start].start, tokens[end - 1].end, KIND))
    return found


def _postcodes(text: str, streets: list[Found]) -> list[Found]:
    found = []
    for match in _POSTCODE_RE.finditer(text):
        end = match.end()
        commune = _COMMUNE_RE.match(text, end)
        after_street = any(_joined(text, street.end, match.start()) for street in streets)
        named = bool(_CODE_WORDS_RE.search(text[max(0, match.start() - 20) : match.start()]))
        if commune and fold(commune.group("first")) not in _NOT_COMMUNES:
            if commune.group("first")[0].isupper() or after_street or named:
                found.append(Found(match.start(), commune.end(), KIND))
        elif after_street or named:
            found.append(Found(match.start(), end, KIND))
    return found


def _joined(text: str, end: int, start: int) -> bool:
    return 0 <= start - end <= 4 and bool(_JOINT_RE.match(text[end:start]))


def find_addresses(text: str) -> list[Found]:
    """The street-level addresses of ``text``, each part joined to its neighbours into one span."""
    tokens = tokenize(text)
    parts = _streets(text, tokens)
    parts += _postcodes(text, parts)
    parts += [Found(m.start(), m.end(), KIND) for m in _POST_BOX_RE.finditer(text)]
    complements = [Found(m.start(), m.end(), KIND) for m in _COMPLEMENT_RE.finditer(text)]
    # A complement belongs to an address only next to one ("bât B, 97400 …"), never alone.
    added = True
    while added:
        added = False
        for complement in list(complements):
            if any(_joined(text, complement.end, p.start) or _joined(text, p.end, complement.start) for p in parts):
                parts.append(complement)
                complements.remove(complement)
                added = True
    merged: list[Found] = []
    for part in sorted(parts):
        if merged and (part.start <= merged[-1].end or _joined(text, merged[-1].end, part.start)):
            merged[-1] = Found(merged[-1].start, max(merged[-1].end, part.end), KIND)
        else:
            merged.append(part)
    return merged
