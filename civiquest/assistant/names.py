"""Person names in a text: the citizen's, their family's, anyone's.

Three sources, all kept (a name any of them finds is masked):

1. sentence patterns: "je m'appelle X", "mon nom est X", "moi c'est X", "s'appelle X", "au nom
   de X", a civility ("Mme X", "M. X", "monsieur X"), a relative after a possessive ("ma fille
   X", "mon mari, X"), a maiden name ("née X"), "je suis X" / "c'est X" for a known first name;
2. a gazetteer of first names common in France (``data/first_names.txt``), anywhere, but not
   after a place word ("lycée Victor Hugo") nor, in lower case, after a determiner ("un jean");
3. spaCy's French named-entity model (``fr_core_news_sm``, a package: nothing is downloaded),
   its PER entities filtered (it also tags words such as "Vitale"), when
   ``ASSISTANT_REDACTION_NER`` is on. The model is loaded once per process, on first use.

Each name found runs on over the surname that follows (capitalised words, or in a lower-case
text the words that are not function words: "sophie martin"), the particles ("Ben Salah",
"el amrani") and a capitalised surname written first ("DUPONT Jean").
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from civiquest.assistant.identifiers import Found
from civiquest.assistant.wording import (
    ADMINISTRATIVE_WORDS,
    PARTICLES,
    PLACE_WORDS,
    Token,
    is_stop,
    tokenize,
)
from civiquest.core.text import fold

KIND = "name"
FIRST_NAMES_FILE = Path(__file__).resolve().parent / "data" / "first_names.txt"
# A name runs at most this many words; fewer in lower case, where only function words stop it.
MAX_WORDS = 4
MAX_LOWER_CASE_WORDS = 3
NER_MODEL = "fr_core_news_sm"

# First names that, in lower case, are more often common words.
_AMBIGUOUS_IN_LOWER_CASE = frozenset(
    "claire jade colin aude marc aimée auguste milan clément olivier romane line lou eve tom".split()
)
# First names left out of the gazetteer as common words ("pierre", "rose"): names only where the
# sentence says a name comes ("mon fils pierre"), or capitalised within a sentence ("Bonjour, Pierre").
_COMMON_WORD_NAMES = frozenset(
    "pierre rose marine olive violette blanche fleur aurore victoire constance céleste ambre capucine prune".split()
)
_DETERMINERS = frozenset(
    "un une le la les des du ce cet cette mon ma mes ton ta tes son sa ses notre votre leur".split()
)
_CIVILITY_RE = re.compile(
    r"(?<![\w.])(?:M\.|M(?=[ \t]+[A-ZÀ-Ý])|Mr\.?|MM\.|Mmes?\.?|Mlle\.?|Melle|Dr\.?|Pr\.?"
    r"|(?i:monsieur|madame|mademoiselle|ma[îi]tre|docteur))(?=\s)"
)
_FAMILY = (
    r"fils|filles?|enfants?|b[ée]b[ée]|mari|femme|[ée]pou(?:x|se)|conjointe?|compagnon|compagne|concubine?|"
    r"partenaire|copain|copine|amie?|m[èe]re|p[èe]re|fr[èe]res?|s(?:œ|oe)urs?|grand-m[èe]re|grand-p[èe]re|"
    r"belle-m[èe]re|beau-p[èe]re|belle-s(?:œ|oe)ur|beau-fr[èe]re|belle-fille|beau-fils|oncle|tante|neveu|"
    r"ni[èe]ce|cousine?|petite?-fils|petite-fille|ex|ex-femme|ex-mari|ex-compagne?|ex-compagnon|voisine?|"
    r"locataire|propri[ée]taire|tut(?:eur|rice)|fianc[ée]e?|ain[ée]e?|cadet(?:te)?|gar[çc]on|papa|maman|"
    r"papi|papy|mamie|petit|petite"
)
# After these, any word is taken as the start of a name (the sentence says a name follows).
_STRONG_TRIGGERS = re.compile(
    r"\b(?:cordialement|bien\s+(?:à|a)\s+vous)\s*,?|\bsign[ée]e?\s*:"
    r"|\bje\s*m['’ ]?\s*(?:ap+el+e?s?|nomme)\b|\bje\s+me\s+nomme\b|\bs['’ ]\s*ap+el+e(?:nt|s)?\b"
    r"|\bmon\s+(?:pr[ée]nom|nom(?:\s+de\s+famille|\s+d['’]usage)?)\s+(?:est|c['’]est|:)"
    r"|\bnom\s+(?:de\s+(?:jeune\s+fille|famille|naissance)|d['’]usage|d['’][ée]pou(?:x|se))\s*(?::|est|c['’]est)"
    r"|\b(?:pr[ée]nom|nom)\s*:|\bmoi\s*,?\s*c['’]est\b|\bau\s+nom\s+de\b|\b(?:pr[ée]|d[ée])?nomm[ée]e?\b",
    re.IGNORECASE,
)
# After these, a capitalised word or a known first name starts a name.
_FAMILY_TRIGGERS = re.compile(
    rf"\b(?:mon|ma|mes|son|sa|ses|notre|nos|leur|leurs)\s+(?:{_FAMILY})\b\s*,?|\bn[ée]e\s|\b(?:veuve|[ée]pouse)\s",
    re.IGNORECASE,
)
# After these, a known first name, or two capitalised words, start a name ("c'est Ahmed Ben Salah").
_WEAK_TRIGGERS = re.compile(r"\bje\s+suis\b|\bc['’]est\b|\b(?:bonjour|bonsoir|salut|slt)\b\s*,?", re.IGNORECASE)


@cache
def _first_names() -> tuple[frozenset[str], frozenset[str]]:
    lines = FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines()
    names = frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
    return names, frozenset(fold(name) for name in names)


def is_first_name(token: Token) -> bool:
    """A first name of the gazetteer: "Chloé", "chloé", "chloe" (no accent typed), "Jean-Baptiste"."""
    if not token.is_word:
        return False
    lower = token.text.lower()
    if not token.capitalised and lower in _AMBIGUOUS_IN_LOWER_CASE:
        return False
    names, folded = _first_names()

    def known(word: str) -> bool:
        # Without accents typed, any accent matches; "marié" is not "Marie".
        return word in names or ((token.capitalised or word == fold(word)) and fold(word) in folded)

    return known(lower) or ("-" in lower and all(known(part) for part in lower.split("-")))


def _continues(token: Token, lower_case: bool) -> bool:
    """The token carries on a name: a capitalised word, or in a lower-case name any word but a function word."""
    if not token.glued or not token.is_word or is_stop(token) or token.folded in PLACE_WORDS:
        return False
    return token.capitalised or lower_case


def _name_end(tokens: list[Token], first: int) -> int:
    """The index after the last token of the name starting at ``first``."""
    lower_case = not tokens[first].capitalised
    limit = MAX_LOWER_CASE_WORDS if lower_case else MAX_WORDS
    end, words, cursor = first + 1, 1, first + 1
    while cursor < len(tokens) and words < limit:
        token = tokens[cursor]
        if token.glued and token.is_word and token.folded in PARTICLES:
            # "Ben Salah", "el amrani", "de La Fontaine": only when a name word follows.
            after = cursor + 1
            if after < len(tokens) and tokens[after].folded in PARTICLES:
                after += 1
            if after < len(tokens) and _continues(tokens[after], lower_case):
                end, words, cursor = after + 1, words + 1, after + 1
                continue
            break
        if not _continues(token, lower_case):
            break
        end, words, cursor = cursor + 1, words + 1, cursor + 1
    return end


def _name_start(tokens: list[Token], first: int) -> int:
    """A surname written before the first name ("DUPONT Jean", "Dupont Jean-Marc, 45 ans") starts the name."""
    start = first
    while start > 0 and first - start < 2 and tokens[start].glued:
        before = tokens[start - 1]
        if not before.capitalised or is_stop(before) or before.folded in PLACE_WORDS:
            break
        start -= 1
    return start


def _token_at(tokens: list[Token], offset: int) -> int | None:
    """The index of the first token starting at or after ``offset``."""
    for index, token in enumerate(tokens):
        if token.start >= offset:
            return index
    return None


def _after_place_word(tokens: list[Token], index: int) -> bool:
    return index > 0 and tokens[index].glued and tokens[index - 1].folded in PLACE_WORDS


def _pattern_names(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, end) token ranges of the names the sentence patterns introduce."""
    ranges = []

    def take(offset: int, accept: Any) -> None:
        index = _token_at(tokens, offset)
        if index is None or not tokens[index].is_word:
            return
        if tokens[index].folded in PARTICLES and tokens[index].capitalised and index + 1 < len(tokens):
            # A surname that starts with a particle: "LE GALL", "De Gaulle".
            if _continues(tokens[index + 1], lower_case=False):
                ranges.append((index, _name_end(tokens, index + 1)))
            return
        if not is_stop(tokens[index]) and accept(index):
            ranges.append((index, _name_end(tokens, index)))

    def capitalised_or_known(index: int) -> bool:
        token = tokens[index]
        if is_first_name(token) or token.text.lower() in _COMMON_WORD_NAMES:
            return True
        return token.capitalised and token.folded not in ADMINISTRATIVE_WORDS

    def known_or_full(index: int) -> bool:
        nxt = index + 1
        full = tokens[index].capitalised and nxt < len(tokens) and _continues(tokens[nxt], lower_case=False)
        return is_first_name(tokens[index]) or full

    for match in _STRONG_TRIGGERS.finditer(text):
        take(match.end(), lambda index: tokens[index].folded not in PLACE_WORDS)
    for match in _CIVILITY_RE.finditer(text):
        take(match.end(), lambda index: tokens[index].folded not in PLACE_WORDS)
    for match in _FAMILY_TRIGGERS.finditer(text):
        take(match.end(), capitalised_or_known)
    for match in _WEAK_TRIGGERS.finditer(text):
        take(match.end(), known_or_full)
    return ranges


def _capitalised_common_word_name(tokens: list[Token], index: int) -> bool:
    """ "Bonjour, Pierre Martin": a capital inside a sentence, not after a determiner ("la Marine")."""
    token = tokens[index]
    if not token.capitalised or token.text.lower() not in _COMMON_WORD_NAMES or index == 0:
        return False
    before = tokens[index - 1]
    return token.glued and before.text not in '.!?:;«"(' and before.folded not in _DETERMINERS


def _gazetteer_names(tokens: list[Token]) -> list[tuple[int, int]]:
    ranges = []
    skip_until = 0
    for index, token in enumerate(tokens):
        if index < skip_until:
            continue
        if not is_first_name(token) and not _capitalised_common_word_name(tokens, index):
            continue
        if _after_place_word(tokens, index):
            skip_until = _name_end(tokens, index)  # "lycée Jean Moulin": the whole name is the place's
            continue
        if not token.capitalised and index > 0 and tokens[index - 1].folded in _DETERMINERS:
            continue
        ranges.append((_name_start(tokens, index), _name_end(tokens, index)))
    return ranges


def _coordinated(tokens: list[Token], ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """In "Hugo et Manon": a known first name or a capitalised word after "et" that follows a name."""
    more = []
    for _first, end in ranges:
        after = end + 1
        if end < len(tokens) and tokens[end].folded == "et" and tokens[end].glued and after < len(tokens):
            token = tokens[after]
            if token.glued and (is_first_name(token) or _continues(token, lower_case=False)):
                more.append((after, _name_end(tokens, after)))
    return more


# --- The named-entity model --------------------------------------------------------------------

_model: Any = None
_model_lock = threading.Lock()


def ner_model() -> Any:
    """spaCy's French pipeline with only what NER needs, loaded once per process (about 2 s and 150 MB)."""
    global _model  # noqa: PLW0603 - one model per process, shared by its threads
    if _model is None:
        with _model_lock:
            if _model is None:
                import spacy  # noqa: PLC0415 - its import alone costs 80 MB: only when a question comes

                _model = spacy.load(
                    NER_MODEL, exclude=["parser", "senter", "morphologizer", "attribute_ruler", "lemmatizer"]
                )
    return _model


def _model_names(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    ranges = []
    for entity in ner_model()(text).ents:
        if entity.label_ != "PER":
            continue
        inside = [i for i, t in enumerate(tokens) if entity.start_char <= t.start and t.end <= entity.end_char]
        words = [i for i in inside if tokens[i].is_word and not is_stop(tokens[i])]
        words = [i for i in words if tokens[i].folded not in PLACE_WORDS]
        if not words or _after_place_word(tokens, words[0]):
            continue
        first = words[0]
        # Without a known first name, the model's guess is taken only for two capitalised words or more:
        # alone or in lower case, it tags too many common words ("Appelez", "première carte nationale").
        known = any(is_first_name(tokens[i]) for i in words)
        if not known and (len(words) == 1 or not any(tokens[i].capitalised for i in words)):
            continue
        ranges.append((first, words[-1] + 1))
    return ranges


def find_names(text: str) -> list[Found]:
    """The person names of ``text`` (mask the other personal data first: an e-mail is not a name)."""
    tokens = tokenize(text)
    ranges = _pattern_names(text, tokens) + _gazetteer_names(tokens)
    ranges += _coordinated(tokens, ranges)
    if settings.ASSISTANT_REDACTION_NER:
        ranges += _model_names(text, tokens)
    return [Found(tokens[first].start, tokens[end - 1].end, KIND) for first, end in ranges if end > first]
