"""French text analysis for retrieval: accent folding, stop words, lemmas, Snowball stems.

A word becomes one term: its lemma (simplemma's French dictionary: "déménage", "déménagé" →
"déménager"; "suis" → "être") reduced by the French Snowball stemmer ("déménager" and
"déménagement" → "demenag"), accents folded. Lemmas first join the irregular forms the
stemmer leaves apart; stems then join the word families.

``index_tokens`` is what documents are indexed with. ``query_terms`` also applies the
lexicon (``civiquest/assistant/data/lexicon.yaml``: misspellings and familiar words
replaced, abbreviations and everyday words expanded with the fiches' words at a lower weight,
"weak" words that say what is asked rather than what about) and gives each term its weight.
Typos that are not listed are corrected at search time against the index's vocabulary
(``civiquest.assistant.retrieval``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import simplemma
import Stemmer
import yaml
from bm25s.stopwords import STOPWORDS_FRENCH

from civiquest.core.text import fold

WORD_RE = re.compile(r"[a-z0-9]+")
LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.yaml"
# Weight of a word the lexicon adds (the citizen did not write it) and of a weak word.
EXPANSION_WEIGHT = 0.5
WEAK_WEIGHT = 0.3


# Folded stop words: bm25s' French list plus elided forms and question words that say
# nothing about the subject of a citizen's question.
STOP_WORDS: frozenset[str] = frozenset(
    {fold(word) for word in STOPWORDS_FRENCH}
    | set(
        "c d j l m n qu s t y a quoi quel quelle quels quelles est ce cela ca faut faire fait dois doit "
        "peux peut veux voudrais svp stp merci bonjour salut si alors donc mais aussi tres bien plus mon ma "
        "mes besoin aider sais savoir etre avoir the jai jsuis chui ya quil quon quelqu "
        # Words addressed to the assistant, not about the subject ("écrivez-moi", "expliquez").
        "moi ecrivez ecris ecrire repondez reponds dites dis expliquez explique envoyez envoie contactez "
        # "Je viens de…": just did, says nothing of the subject.
        "viens vient venons venez viennent".split()
    )
)


@dataclass(frozen=True)
class Lexicon:
    replace: dict[str, str]
    expand: dict[str, tuple[str, ...]]
    weak: frozenset[str]
    # Expansions of several words, longest first: (words, added words).
    phrases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8")) or {}
    expand = {
        tuple(words(str(key))): tuple(fold(str(word)) for word in values)
        for key, values in (data.get("expand") or {}).items()
    }
    return Lexicon(
        replace={fold(str(key)): fold(str(value)) for key, value in (data.get("replace") or {}).items()},
        expand={key[0]: values for key, values in expand.items() if len(key) == 1},
        weak=frozenset(fold(str(word)) for word in data.get("weak") or ()),
        phrases=tuple(
            sorted(((key, values) for key, values in expand.items() if len(key) > 1), key=lambda item: -len(item[0]))
        ),
    )


_STEMMER = Stemmer.Stemmer("french")


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The folded word's term: the stem of its lemma (numbers as they are)."""
    if word.isdigit():
        return word
    lemma = fold(simplemma.lemmatize(word, lang="fr"))
    # simplemma may return several words ("au" → "à le"); keep the word's own form then.
    if not lemma.isalnum():
        lemma = word
    return str(_STEMMER.stemWord(lemma))


def words(text: str) -> list[str]:
    """Folded words of ``text``, stop words included."""
    return WORD_RE.findall(fold(text))


def _is_stop(word: str) -> bool:
    return word in STOP_WORDS or (len(word) == 1 and not word.isdigit())


def analyse(folded_words: list[str]) -> list[str]:
    """Terms of the words that are not stop words."""
    return [term(word) for word in folded_words if not _is_stop(word)]


def index_tokens(text: str) -> list[str]:
    """The tokens a document is indexed with."""
    return analyse(words(text))


@dataclass(frozen=True)
class QueryTerm:
    term: str
    weight: float
    # The citizen's word it comes from (its position), or None for a phrase's addition: a
    # word counts once in the score's normaliser, by the best of its terms the index knows.
    group: int | None


def query_terms(text: str) -> list[QueryTerm]:
    """The query's terms with their weight (1 for the citizen's own words, less for additions and weak words)."""
    known = lexicon()
    found: list[QueryTerm] = []

    def add(word: str, weight: float, group: int | None) -> None:
        if not _is_stop(word):
            found.append(QueryTerm(term(word), weight, group))

    asked = words(text)
    for phrase, extras in known.phrases:
        if any(tuple(asked[start : start + len(phrase)]) == phrase for start in range(len(asked))):
            for extra in extras:
                add(extra, WEAK_WEIGHT if extra in known.weak else EXPANSION_WEIGHT, None)
    for position, word in enumerate(asked):
        word = known.replace.get(word, word)
        if word not in known.expand and len(word) > 3 and word.endswith("s"):
            word = known.replace.get(word[:-1], word)
        weak = word in known.weak
        add(word, WEAK_WEIGHT if weak else 1.0, position)
        # What a weak word brings is weak too ("prix" → "coût").
        for extra in known.expand.get(word, ()) or known.expand.get(word.removesuffix("s"), ()):
            add(extra, WEAK_WEIGHT if weak or extra in known.weak else EXPANSION_WEIGHT, position)
    return found


def query_tokens(text: str) -> list[str]:
    """The query's terms (distinct, in order), whatever their weight."""
    return list(dict.fromkeys(found.term for found in query_terms(text)))
