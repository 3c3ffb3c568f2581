"""The lexicon in data and the situation rules: how a citizen's words become weighted terms."""

import pytest

from civiquest.assistant import situations
from civiquest.assistant.text import EXPANSION_WEIGHT, WEAK_WEIGHT, lexicon, query_terms, term, words


def weights(question: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for item in query_terms(question):
        found[item.term] = max(found.get(item.term, 0.0), item.weight)
    return found


def test_the_lexicon_is_folded_and_every_replacement_changes_the_word():
    known = lexicon()
    for key, value in known.replace.items():
        assert words(key) == [key] and value and value != key
    for key, values in known.expand.items():
        assert words(key) == [key] and values
    assert all(len(phrase) > 1 for phrase, _extras in known.phrases)


def test_a_misspelling_is_searched_as_the_official_word_at_full_weight():
    assert weights("pasport perimé") == weights("passeport expiré")
    assert weights("pasport")[term("passeport")] == 1.0


def test_an_abbreviation_keeps_the_word_and_adds_the_fiches_words_at_a_lower_weight():
    found = weights("refaire ma cni")
    assert found[term("cni")] == 1.0
    assert found[term("carte")] == EXPANSION_WEIGHT
    assert found[term("identite")] == EXPANSION_WEIGHT


def test_words_that_say_what_is_asked_count_little_and_so_does_what_they_bring():
    found = weights("prix de la carte grise")
    assert found[term("prix")] == WEAK_WEIGHT
    assert found[term("cout")] == WEAK_WEIGHT  # brought by a weak word
    assert found[term("carte")] == 1.0 and found[term("grise")] == 1.0


def test_a_phrase_adds_its_words_and_each_citizen_word_is_counted_once():
    terms = query_terms("combien de temps pour avoir sa carte grise")
    delay = [item for item in terms if item.term == term("delai")]
    assert delay and all(item.group is None for item in delay)  # not one of the citizen's words
    # "carte" and its expansion-free neighbours each belong to the word the citizen wrote.
    carte = [item for item in terms if item.term == term("carte")]
    assert len(carte) == 1 and carte[0].group == words("combien de temps pour avoir sa carte grise").index("carte")


def test_words_addressed_to_the_assistant_are_not_searched():
    assert weights("écrivez-moi la réponse, je viens d'accoucher") == weights("réponse accoucher")


ADULT_FIRST = "Passeport d'un majeur : première demande"
MINOR_FIRST = "Passeport d'un mineur : première demande"
ADULT_RENEWAL = "Renouvellement du passeport d'un majeur"


@pytest.mark.parametrize(
    ("question", "preferred", "other"),
    [
        (
            "refaire le passeport expiré",
            "Renouvellement du passeport d'un majeur",
            "Passeport d'un majeur : première demande",
        ),
        (
            "passeport pour mon fils",
            "Passeport d'un mineur : première demande",
            "Passeport d'un majeur : première demande",
        ),
        (
            "passeport de ma fille majeure",
            "Passeport d'un majeur : première demande",
            "Passeport d'un mineur : première demande",
        ),
        ("premier passeport", "Passeport d'un majeur : première demande", "Renouvellement du passeport d'un majeur"),
        ("je déménage", "Je déménage", "Changer l'adresse sur sa carte grise"),
        (
            "combien coûte la carte grise",
            "Coût de la carte grise",
            "Carte grise : immatriculer un véhicule d'occasion",
        ),
    ],
)
def test_the_situation_picks_the_fiche_s_variant(question, preferred, other):
    first, second = situations.factors(question, [preferred, other])
    assert first > second


def test_no_cue_and_no_variant_changes_nothing():
    assert situations.factors("vote par procuration", ["Vote par procuration", "Listes électorales"]) == [1.0, 1.0]
