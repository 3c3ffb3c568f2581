"""Redaction, rule by rule: the spellings each kind of personal data takes, and what must stay."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from civiquest.assistant import names
from civiquest.assistant.redaction import find_personal_data, redact, redact_for_search, redact_identifiers
from tests.utils import ROOT


def _masked(text: str) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start : span.end]) for span in find_personal_data(text)]


@pytest.mark.parametrize(
    "nir",
    [
        "1 85 05 78 006 084 36",
        "185057800608436",
        "1850578006084",
        "1-85-05-78-006-084-36",
        "1.85.05.78.006.084.36",
        "185 05 78 006 084 36",
        "1 85 05 78 006 084",
        "18505 78006 08436",
        "2 91 11 2A 123 456 78",
        "2-91-11-2b-123-456",
    ],
)
def test_a_nir_is_masked_whatever_its_spacing_with_or_without_its_key(nir):
    assert redact(f"mon numéro {nir} merci") == "mon numéro [numéro de sécurité sociale masqué] merci"


def test_a_number_shaped_like_a_nir_but_with_no_month_is_not_one():
    # 13 digits whose "month" is 45: a tax number (first digit 0-3), never taken for a NIR.
    assert _masked("fiscal 1234567890123") == [("tax_number", "1234567890123")]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("je suis né le 12/03/1985 à Lyon", "12/03/1985"),
        ("née le 12-03-1985, je veux", "12-03-1985"),
        ("né le 1.3.85 en Algérie", "1.3.85"),
        ("Je suis né(e) le 14 juillet 1989", "14 juillet 1989"),
        ("nee le 1er janvier 1960", "1er janvier 1960"),
        ("date de naissance : 17/10/2001", "17/10/2001"),
        ("ma date de naissance est le 3 févr. 1990", "3 févr. 1990"),
        ("je suis du 25 décembre 1999", "25 décembre 1999"),
        ("mon fils né en 2012 a perdu sa carte", "2012"),
        ("née en mars 1975, j'ai travaillé 40 ans", "mars 1975"),
        ("DDN 12.12.1980", "12.12.1980"),
    ],
)
def test_birth_dates_are_masked_in_their_common_spellings(text, date):
    assert _masked(text)[-1] == ("birth_date", date)
    assert "[date de naissance masquée]" in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mon passeport expire le 30/06/2027, quand le renouveler ?",
        "J'ai travaillé de 1985 à 2020.",
        "je suis né en France et je vis à l'étranger",
        "Le rendez-vous est le 12 mars 2026 à la mairie.",
    ],
)
def test_other_dates_stay(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "Bonjour, je m'appelle Jean Dupont, j'habite 12 rue des Lilas 75011 Paris.",
            "Bonjour, je m'appelle [nom masqué], j'habite [adresse masquée].",
        ),
        ("je m'appel sophie martin j'ai perdu ma carte", "je m'appel [nom masqué] j'ai perdu ma carte"),
        ("Mme DA SILVA Maria veut un passeport", "Mme [nom masqué] veut un passeport"),
        ("mes enfants Hugo et Manon partent", "mes enfants [nom masqué] et [nom masqué] partent"),
        ("Mme Dupuis née Moreau", "Mme [nom masqué] née [nom masqué]"),
        ("mon fils Lucas est né le 04.07.2012", "mon fils [nom masqué] est né le [date de naissance masquée]"),
        ("j'habite au 3 rue de la gare a Villeurbanne", "j'habite au [adresse masquée] a Villeurbanne"),
        ("Appartement 12, 3 allée Jules Verne, 35000 Rennes", "[adresse masquée]"),
        ("Écrivez à jean point dupont arobase laposte point net", "Écrivez à [courriel masqué]"),
        # First names that are common words: where the sentence says a name comes, or capitalised in it.
        ("mon fils pierre a 12 ans", "mon fils [nom masqué] a 12 ans"),
        ("Bonjour, Pierre Durand, je voudrais un passeport", "Bonjour, [nom masqué], je voudrais un passeport"),
    ],
)
def test_names_addresses_and_spelled_out_e_mails_are_masked(text, redacted):
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "Comment renouveler ma carte d'identité à la mairie de Paris ?",
        "Mon fils est au lycée Victor Hugo, comment demander une bourse ?",
        "Monsieur le maire peut-il célébrer un mariage le dimanche ?",
        "je suis perdu avec ma déclaration, je suis étudiant",
        "je veux acheter un jean avec le pass culture",
        "la rue de la République est bloquée, où voter ?",
        "Je suis marié depuis 2020 et j'habite à Lyon.",
        "je suis dans la Marine nationale, mon fils aîné est handicapé",
        "Je suis Français, comment s'appelle le formulaire ?",
        "Mon voisin a reçu 15000 euros de la CAF de Marseille.",
        "Allô Service Public, c'est le 3939.",
        "Voir https://www.service-public.fr/particuliers/vosdroits/F1342 ou www.ants.gouv.fr/Jean-Marie",
    ],
)
def test_what_a_question_needs_is_kept(text):
    # A commune alone, an institution named after someone, a determiner's "jean", a link: not personal data.
    assert redact(text) == text


def test_redacting_twice_changes_nothing_more():
    text = "Je m'appelle Jean Dupont, né le 3 mars 1985, 12 rue des Lilas, NIR 1 85 05 78 006 084 36."
    once = redact(text)
    assert "Dupont" not in once and "Lilas" not in once and "1985" not in once
    assert redact(once) == once


def test_search_gets_the_question_without_its_personal_data_nor_markers():
    text = "je m'appelle Karim Haddad, 3 bis avenue Victor Hugo 69003 Lyon, comment refaire mon passeport"
    assert redact_for_search(text) == "je m'appelle , , comment refaire mon passeport"
    assert redact_for_search(redact(text)) == "je m'appelle , , comment refaire mon passeport"


def test_identifiers_only_leave_names_and_addresses_of_a_model_answer():
    text = "Écrivez à la Mairie, 1 place Bellecour 69002 Lyon (M. Martin), NIR 1 85 05 78 006 084 36."
    assert redact_identifiers(text) == (
        "Écrivez à la Mairie, 1 place Bellecour 69002 Lyon (M. Martin), NIR [numéro de sécurité sociale masqué]."
    )


def test_without_the_model_the_patterns_still_mask_names(settings):
    settings.ASSISTANT_REDACTION_NER = False
    assert redact("Je m'appelle Nguyen Van Thanh, ma fille Chloé a 16 ans") == (
        "Je m'appelle [nom masqué], ma fille [nom masqué] a 16 ans"
    )


def test_the_model_masks_a_full_name_no_pattern_introduces(settings):
    text = "Sur ma carte il y a écrit Josselin Tremblay, comment corriger ?"
    settings.ASSISTANT_REDACTION_NER = False
    assert redact(text) == text
    settings.ASSISTANT_REDACTION_NER = True
    assert redact(text) == "Sur ma carte il y a écrit [nom masqué], comment corriger ?"


def test_the_model_is_loaded_once_per_process():
    assert names.ner_model() is names.ner_model()
    assert names.ner_model().pipe_names == ["tok2vec", "ner"]


def test_the_model_loads_and_redacts_with_no_network():
    # A fresh process where any connection fails: the model comes from its installed package.
    code = (
        "import socket\n"
        "def refuse(*args, **kwargs):\n"
        "    raise OSError('no network in this test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "import django\n"
        "django.setup()\n"
        "from civiquest.assistant.redaction import redact\n"
        "print(redact('Sur ma carte il y a écrit Josselin Tremblay, comment corriger ?'))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ASSISTANT_REDACTION_NER": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Sur ma carte il y a écrit [nom masqué], comment corriger ?"
