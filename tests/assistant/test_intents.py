"""The intents table (civiquest/assistant/intents.yaml): what citizens ask for, and where a fiche answers it."""

from __future__ import annotations

import re

import pytest

from civiquest.assistant.intents import LABELS, by_name, content_matches, detect, section_matches, table
from civiquest.core.text import fold

# Questions as citizens write them → the intents read, main one first. Every question pattern of
# the table is exercised by at least one of them (test_every_question_pattern_is_exercised).
QUESTIONS: list[tuple[str, tuple[str, ...]]] = [
    # validity
    ("le passeport est valable combien de temps", ("validity",)),
    ("combien de temps est valable un passeport", ("validity",)),
    ("durée de validité du permis de conduire", ("validity",)),
    ("ma carte d'identité est-elle encore valide ?", ("validity",)),
    ("quand expire mon titre de séjour", ("validity",)),
    # cost
    ("combien coûte une carte d'identité ?", ("cost",)),
    ("combien ça coute un passeport", ("cost",)),
    ("combien je vais toucher de prime d'activité", ("cost",)),
    ("c'est quoi le coût d'un extrait de casier judiciaire", ("cost",)),
    ("prix du permis de conduire international", ("cost",)),
    ("tarif de la carte grise", ("cost",)),
    ("c'est payant le passeport ?", ("cost",)),
    ("le duplicata du livret de famille est gratuit ?", ("cost",)),
    ("quels frais pour un changement de nom", ("cost",)),
    ("quel est le montant de l'allocation de rentrée scolaire", ("cost",)),
    ("le timbre fiscal pour le passeport c'est combien", ("cost",)),
    ("faut-il payer pour une copie d'acte de naissance", ("cost",)),
    ("ça se paie, le certificat d'immatriculation ?", ("cost",)),
    ("la carte vitale coûte combien en euros", ("cost",)),
    ("combien touche un étudiant boursier", ("cost",)),
    # delay
    ("ça prend combien de temps pour avoir un passeport ?", ("delay",)),
    ("délai pour obtenir une carte grise", ("delay",)),
    ("ça met longtemps pour la carte vitale ?", ("delay",)),
    ("la carte d'identité, elle met combien pour arriver ?", ("delay",)),
    ("je vais avoir la réponse dans combien de jours ?", ("delay",)),
    ("je serai remboursé sous combien de semaines", ("delay",)),
    ("quand est-ce que je vais recevoir ma carte grise", ("delay",)),
    ("temps de traitement d'une demande de naturalisation", ("delay",)),
    ("peut-on avoir un passeport rapidement", ("delay",)),
    # deadline
    ("jusqu'à quand je peux déclarer mes revenus ?", ("deadline",)),
    ("jusqu'à quelle date puis-je m'inscrire sur les listes électorales", ("deadline",)),
    ("date limite inscription sur les listes électorales", ("deadline",)),
    ("quelle est la date butoir pour la déclaration d'impôts", ("deadline",)),
    ("avant quelle date faut-il faire le recensement citoyen", ("deadline",)),
    ("le dernier jour pour payer la taxe foncière", ("deadline",)),
    ("quand faut-il déclarer la naissance d'un bébé", ("deadline",)),
    ("quand déclarer un décès", ("deadline",)),
    ("à partir de quand peut-on demander la retraite", ("deadline",)),
    ("j'ai déménagé il y a un an, c'est trop tard pour la carte grise ?", ("deadline",)),
    ("je suis en retard pour ma déclaration", ("deadline",)),
    ("j'ai oublié de déclarer mes impôts", ("deadline",)),
    ("quelle est l'échéance du paiement de l'impôt", ("deadline",)),
    # where
    ("où faut-il aller pour faire une carte d'identité ?", ("where",)),
    ("ou deposer une demande de logement social", ("where",)),
    ("pour la procuration, ou faut il aller ?", ("where",)),
    ("auprès de qui faire la demande de RSA", ("where",)),
    ("qui contacter pour ma retraite", ("where",)),
    ("à qui m'adresser pour une aide au logement", ("where",)),
    ("quel organisme verse l'allocation chômage", ("where",)),
    ("sur quel site faire la demande de carte grise", ("where",)),
    ("je peux le faire en ligne ou au guichet ?", ("where",)),
    ("je dois déposer le dossier où ça ?", ("where",)),
    ("où se trouve la préfecture", ("where",)),
    # documents
    ("quels papiers pour faire un passeport ?", ("documents",)),
    ("pièces à fournir pour une carte d'identité", ("documents",)),
    ("quels justificatifs pour l'inscription sur les listes électorales", ("documents",)),
    ("documents nécessaires pour un pacs", ("documents",)),
    ("papiers à apporter pour le mariage", ("documents",)),
    ("que faut-il fournir pour la carte grise", ("documents",)),
    ("qu'est-ce qu'il faut apporter pour se marier à la mairie", ("documents",)),
    ("pour le passeport je dois apporter quoi", ("documents",)),
    ("quel formulaire remplir pour le changement de nom", ("documents",)),
    ("numéro du cerfa pour la déclaration de cession", ("documents",)),
    ("comment constituer le dossier de retraite", ("documents",)),
    # who
    ("qui peut demander le RSA ?", ("who",)),
    ("pour qui est la prime de Noël", ("who",)),
    ("suis-je concerné par le recensement", ("who",)),
    ("qui sont les bénéficiaires de l'AAH", ("who",)),
    ("les personnes concernées par le service civique", ("who",)),
    ("qui est vraiment concerné par la taxe d'habitation", ("who",)),
    # eligibility
    ("conditions pour avoir l'APL", ("eligibility",)),
    ("ai-je droit à la prime d'activité", ("eligibility",)),
    ("j'ai droit au chômage si je démissionne ?", ("eligibility",)),
    ("est-ce que j'ai le droit à la bourse", ("eligibility",)),
    ("puis-je bénéficier de la CSS", ("eligibility",)),
    ("je peux toucher le RSA à 20 ans", ("eligibility",)),
    ("suis-je éligible au chèque énergie", ("eligibility",)),
    ("critères pour un logement social", ("eligibility",)),
    ("quels sont les plafonds de ressources pour la CSS", ("eligibility",)),
    ("faut-il être français pour voter aux municipales", ("eligibility",)),
    ("comment remplir les conditions du PTZ", ("eligibility",)),
    ("mon fils a droit à l'allocation ?", ("eligibility",)),
    ("quelle est l'éligibilité à MaPrimeRénov", ("eligibility",)),
    # several
    ("combien coûte le passeport et quel est le délai ?", ("cost", "delay")),
    ("quels documents et où les déposer pour la carte grise", ("documents", "where")),
    ("qui peut demander l'APL et sous quelles conditions", ("who", "eligibility")),
]

GENERAL = [
    "comment faire une procuration pour voter",
    "j'ai besoin de faire garder mes enfants",
    "je déménage",
    "passeport ou carte d'identité pour voyager en Espagne",
    "Faut-il un avocat pour divorcer ?",
    "comment renouveler mon passeport",
    "j'ai perdu ma carte vitale",
    "je veux créer une entreprise",
    "déclarer un chien dangereux",
    "mon enfant entre au collège",
]


@pytest.mark.parametrize(("question", "expected"), QUESTIONS, ids=[q for q, _e in QUESTIONS])
def test_the_intents_of_a_question_main_one_first(question, expected):
    assert tuple(intent.name for intent in detect(question)) == expected


@pytest.mark.parametrize("question", GENERAL)
def test_a_general_question_has_no_intent(question):
    assert detect(question) == ()


def test_every_question_pattern_is_exercised_by_the_table():
    questions = [question for question, _expected in QUESTIONS]
    for intent in table():
        for pattern in intent.question:
            assert any(pattern.search(fold(question)) for question in questions), (intent.name, pattern.pattern)
        for pattern in intent.question_accents:
            assert any(pattern.search(question.lower()) for question in questions), (intent.name, pattern.pattern)


def test_the_table_is_well_formed():
    names = [intent.name for intent in table()]
    assert set(names) == set(LABELS) and len(names) == len(set(names))
    for intent in table():
        assert intent.question and intent.sections and intent.content, intent.name
        assert intent.outranks <= set(names)
        assert intent.label and intent.label != intent.name


# Real section titles of the service-public.fr feed → the intent they answer.
SECTIONS = [
    ("cost", "Coût"),
    ("cost", "Montant"),
    ("cost", "Combien coûte la carte ?"),
    ("cost", "Frais de dossier"),
    ("delay", "Délais de fabrication"),
    ("delay", "Délai de fabrication"),
    ("delay", "Retrait de la carte"),
    ("delay", "Versement"),
    ("deadline", "Quand faire la demande ?"),
    ("deadline", "Date limite"),
    ("deadline", "Déclaration hors délai"),
    ("where", "Où et comment faire la demande ?"),
    ("where", "Où s'adresser ?"),
    ("where", "Comment faire la demande ?"),
    ("documents", "Pièces à fournir"),
    ("documents", "Justificatifs"),
    ("documents", "Formulaire"),
    ("who", "Qui est concerné ?"),
    ("who", "Personnes concernées"),
    ("who", "Qui peut être mandataire ?"),
    ("eligibility", "Conditions"),
    ("eligibility", "Conditions d'attribution"),
    ("eligibility", "Conditions de ressources"),
    ("validity", "Durée de validité"),
]


@pytest.mark.parametrize(("name", "title"), SECTIONS)
def test_section_titles_that_answer_an_intent(name, title):
    assert section_matches(by_name(name), (title,))


@pytest.mark.parametrize(
    ("name", "title"),
    [("cost", "Pièces à fournir"), ("delay", "Coût"), ("documents", "Où et comment faire la demande ?")],
)
def test_section_titles_that_do_not(name, title):
    assert not section_matches(by_name(name), (title,))


CONTENT = [
    ("cost", "Le passeport coûte 86 €."),
    ("cost", "La carte d'identité est gratuite."),
    ("cost", "Il faut acheter un timbre fiscal."),
    ("delay", "La carte arrive en 2 à 3 semaines."),
    ("delay", "Le délai de fabrication dépend de la période."),
    ("deadline", "Vous devez déclarer avant le 31 mai."),
    ("deadline", "La déclaration doit être faite dans les 5 jours."),
    ("where", "Rendez-vous en mairie avec votre dossier."),
    ("where", "La demande se fait en ligne sur le site de l'ANTS."),
    ("documents", "Une photo d'identité de moins de 6 mois."),
    ("documents", "Un justificatif de domicile."),
    ("who", "Toute personne majeure peut demander une carte."),
    ("who", "Vous devez être âgé de 18 ans au moins."),
    ("eligibility", "Vos ressources ne doivent pas dépasser un plafond."),
    ("eligibility", "Vous devez résider en France depuis au moins 5 ans."),
    ("validity", "La carte est valable 15 ans."),
]


@pytest.mark.parametrize(("name", "sentence"), CONTENT)
def test_sentences_that_answer_an_intent(name, sentence):
    assert content_matches(by_name(name), sentence)


def test_the_where_question_is_not_read_into_or():
    assert detect("passeport ou carte d'identité ?") == ()
    assert re.search(r"\bou\b", fold("passeport ou carte"))  # the folded "ou" that "où" becomes
