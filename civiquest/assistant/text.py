"""French text normalisation for retrieval: accent folding, stop words, Snowball stemming.

``index_tokens`` is what documents are indexed with; ``query_tokens`` also rewrites
familiar words, abbreviations and frequent misspellings into the words official sheets
use (``QUERY_REWRITES``) before the same analysis. Typos that are not listed are handled
at search time against the index's vocabulary (``civiquest.assistant.retrieval``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_FRENCH

from civiquest.core.text import fold

WORD_RE = re.compile(r"[a-z0-9]+")


# Folded stop words: bm25s' French list plus elided forms and question words that say
# nothing about the subject of a citizen's question.
STOP_WORDS: frozenset[str] = frozenset(
    {fold(word) for word in STOPWORDS_FRENCH}
    | {
        "c",
        "d",
        "j",
        "l",
        "m",
        "n",
        "qu",
        "s",
        "t",
        "y",
        "a",
        "comment",
        "quoi",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "est",
        "ce",
        "cela",
        "ca",
        "faut",
        "faire",
        "fait",
        "dois",
        "doit",
        "peux",
        "peut",
        "veux",
        "voudrais",
        "svp",
        "merci",
        "bonjour",
        "salut",
        "quand",
        "ou",
        "si",
        "alors",
        "donc",
        "mais",
        "aussi",
        "tres",
        "bien",
        "plus",
        "mon",
        "ma",
        "mes",
        "besoin",
        "aide",
        "aider",
        "sais",
        "savoir",
        "etre",
        "avoir",
        "the",
    }
)

# Familiar words, abbreviations and frequent misspellings → the words official sheets use
# (folded; keys are single folded words, values one or more words).
QUERY_REWRITES: dict[str, str] = {
    "cni": "carte nationale identite",
    "refaire": "refaire renouveler",
    "refait": "refaire renouveler",
    "refais": "refaire renouveler",
    "piquer": "vol",
    "piquee": "vol",
    "renouvele": "renouveler",
    "id": "identite",
    "ceam": "carte europeenne assurance maladie",
    "secu": "securite sociale assurance maladie",
    "cpam": "assurance maladie",
    "ants": "agence nationale titres securises",
    "rdv": "rendez vous",
    "bagnole": "voiture vehicule",
    "voiture": "voiture vehicule",
    "auto": "vehicule",
    "moto": "vehicule",
    "immat": "immatriculation",
    "cg": "carte grise",
    "taf": "travail emploi",
    "boulot": "travail emploi",
    "thune": "argent",
    "fric": "argent",
    "pognon": "argent",
    "impots": "impot revenu",
    "impot": "impot revenu",
    "fisc": "impot",
    "demenage": "demenagement",
    "demenager": "demenagement",
    "bebe": "naissance enfant",
    "gosse": "enfant",
    "gamin": "enfant",
    "gamine": "enfant",
    "minot": "enfant",
    "accouche": "naissance",
    "accouchement": "naissance",
    "pote": "ami",
    "flic": "police",
    "keufs": "police",
    "paperasse": "papiers",
    "appart": "logement",
    "voter": "vote electeur listes electorales",
    "vote": "vote electeur listes electorales",
    "votes": "vote electeur listes electorales",
    "jdc": "journee defense citoyennete recensement",
    "recenser": "recensement",
    "permi": "permis",
    "permit": "permis",
    "pasport": "passeport",
    "passport": "passeport",
    "paseport": "passeport",
    "passeprot": "passeport",
    "pasepor": "passeport",
    "identiter": "identite",
    "identitee": "identite",
    "indentite": "identite",
    "idantite": "identite",
    "adrese": "adresse domicile",
    "adress": "adresse domicile",
    "addresse": "adresse domicile",
    "declarer": "declaration",
    "declare": "declaration",
    "declarasion": "declaration",
    "declaraton": "declaration",
    "casier": "casier judiciaire",
    "b3": "bulletin casier judiciaire",
    "extrait": "extrait acte",
    "timbre": "timbre fiscal",
    "perdu": "perte",
    "paume": "perte",
    "vole": "vol",
    "pique": "vol",
    "chomage": "chomage emploi",
    "caf": "allocations familiales caf",
    "apl": "aide personnalisee logement apl",
    "rsa": "revenu solidarite active rsa",
    "europe": "europeenne",
    "vacances": "voyage sejour",
    "mutuelle": "assurance maladie",
    "anniversaire": "age",
    "18ans": "18 ans majeur",
    "16ans": "16 ans",
}

_STEMMER = Stemmer.Stemmer("french")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def words(text: str) -> list[str]:
    """Folded words of ``text``, stop words included."""
    return WORD_RE.findall(fold(text))


def analyse(folded_words: list[str]) -> list[str]:
    """Stems of the words that are not stop words (numbers kept as they are)."""
    tokens = []
    for word in folded_words:
        if word in STOP_WORDS or (len(word) == 1 and not word.isdigit()):
            continue
        tokens.append(word if word.isdigit() else stem(word))
    return tokens


def index_tokens(text: str) -> list[str]:
    """The tokens a document is indexed with."""
    return analyse(words(text))


def normalise_query(text: str) -> list[str]:
    """The query's folded words, familiar words and known misspellings rewritten."""
    folded = words(text)
    result: list[str] = []
    for word in folded:
        rewrite = QUERY_REWRITES.get(word)
        if rewrite is None and len(word) > 3 and word.endswith("s"):
            rewrite = QUERY_REWRITES.get(word[:-1])
        result.extend(rewrite.split() if rewrite else [word])
    return result


def query_tokens(text: str) -> list[str]:
    """The tokens a query is searched with (distinct, in order)."""
    return list(dict.fromkeys(analyse(normalise_query(text))))
