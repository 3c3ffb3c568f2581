import pytest

from civiquest.social.selectors import pseudonym_of, pseudonyms_of
from civiquest.social.services import PseudonymInvalid, pseudonym_choose
from tests.accounts.factories import CitizenFactory


@pytest.mark.django_db
def test_a_pseudonym_is_chosen_once_and_kept():
    citizen = CitizenFactory(first_name="Camille", last_name="Durand")
    assert pseudonym_of(citizen) is None
    pseudonym_choose(user=citizen, pseudonym="Hirondelle-44")
    assert pseudonym_of(citizen) == "Hirondelle-44"
    # The same choice again (a double click) is accepted; another one is refused.
    pseudonym_choose(user=citizen, pseudonym="Hirondelle-44")
    with pytest.raises(PseudonymInvalid, match="déjà choisi"):
        pseudonym_choose(user=citizen, pseudonym="Autre")
    assert pseudonyms_of([citizen.pk]) == {citizen.pk: "Hirondelle-44"}


@pytest.mark.django_db
def test_two_citizens_never_share_a_pseudonym_whatever_the_case_or_accents():
    pseudonym_choose(user=CitizenFactory(), pseudonym="Élan")
    with pytest.raises(PseudonymInvalid, match="déjà pris"):
        pseudonym_choose(user=CitizenFactory(), pseudonym="elan")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pseudonym", "why"),
    [
        ("ab", "de 3 à 24"),
        ("a" * 25, "de 3 à 24"),
        ("moi@exemple.fr", "de 3 à 24"),
        ("Camille-D", "votre nom"),
        ("ModerateurOfficiel", "au nom du service"),
        ("tel0612345678", "numéro"),
    ],
)
def test_a_pseudonym_that_identifies_or_misleads_is_refused(pseudonym, why):
    citizen = CitizenFactory(first_name="Camille", last_name="Durand")
    with pytest.raises(PseudonymInvalid, match=why):
        pseudonym_choose(user=citizen, pseudonym=pseudonym)
    assert pseudonym_of(citizen) is None
