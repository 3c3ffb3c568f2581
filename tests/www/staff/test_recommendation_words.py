"""The rules' offsets and conditions in French words (no database)."""

from __future__ import annotations

import pytest
from django.utils import translation

from civiquest.www.staff.recommendation_words import (
    conditions_words,
    deadline_sentence,
    deadline_words,
    due_words,
    revision_changes,
    until_words,
)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        ({}, "dès le jour de l’événement"),
        ({"months": -6}, "à partir de 6 mois avant"),
        ({"days": -30}, "à partir de 30 jours avant"),
        ({"days": -1}, "à partir de la veille"),
        ({"months": 2}, "à partir de 2 mois après"),
        ({"months": -4, "last": "01-15"}, "à partir du 15 janvier qui précède la date située 4 mois avant"),
    ],
)
def test_when_an_action_becomes_due(offset, words):
    assert due_words(offset) == words


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        ({}, ""),
        ({"months": 1}, "dans le mois qui suit"),
        ({"months": 12}, "dans les 12 mois qui suivent"),
        ({"days": 5}, "dans les 5 jours qui suivent"),
        ({"days": 1}, "au plus tard le lendemain"),
        ({"days": 0}, "au plus tard le jour même"),
        ({"days": -14}, "au plus tard 14 jours avant"),
        ({"months": -4}, "au plus tard 4 mois avant"),
        ({"months": 3, "month_end": True}, "avant la fin du 3e mois qui suit"),
        ({"months": 1, "month_end": True}, "avant la fin du mois qui suit"),
        ({"last": "05-15"}, "avant le 15 mai"),
        ({"calendar": "online"}, "jusqu’à la date limite de la déclaration en ligne"),
        ({"months": 1, "days": -1}, "au plus tard 1 mois après, moins 1 jour"),
    ],
)
def test_deadlines(offset, words):
    assert deadline_words(offset) == words


def test_until_and_the_whole_sentence():
    assert until_words({"months": 12}) == "proposée jusqu’à 12 mois après"
    assert until_words({"days": -1}) == "proposée jusqu’à la veille"
    assert until_words({"days": 0}) == "proposée jusqu’au jour même"
    assert deadline_sentence({}, {"months": 12}) == "sans date limite, proposée jusqu’à 12 mois après"
    both = deadline_sentence({"days": 0}, {"months": 12})
    assert both == "au plus tard le jour même, proposée jusqu’à 12 mois après"
    assert deadline_sentence({}, {}) == "sans date limite"


def test_conditions():
    assert conditions_words({}) == []
    assert conditions_words({"min_age": 18}) == ["18 ans ou plus"]
    assert conditions_words({"max_age": 25}) == ["25 ans ou moins"]
    assert conditions_words({"min_age": 18, "max_age": 25}) == ["de 18 à 25 ans"]
    assert conditions_words({"holds_title": "passport"}) == ["a déjà un passeport"]
    assert conditions_words({"lacks_valid_title": "identity_card"}) == [
        "n’a pas de carte d’identité valide à la date de l’événement"
    ]


def test_what_changed_between_two_revisions_in_words():
    before = {"procedure": "pacs", "trigger": "union", "deadline": {}, "until": {"days": 0}, "relevance": 0.6}
    after = {**before, "deadline": {"months": 1}, "relevance": 0.75, "active": False}
    changes = {change.label: (change.before, change.after) for change in revision_changes(before, after, {})}
    assert changes == {
        "Date limite": ("aucune", "dans le mois qui suit"),
        "Pertinence": ("0,6", "0,75"),
        "Règle active": ("—", "non"),
    }
