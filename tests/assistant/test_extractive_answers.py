"""The extractive answer answers the question asked: the section its intent names, whole sentences,
no metadata, the fiche's update date, links that work wherever they are shown."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from civiquest.assistant.answering import answer
from civiquest.assistant.extractive import ExtractiveProvider, updated_line
from civiquest.assistant.intents import detect
from civiquest.assistant.models import KnowledgeChunk, KnowledgeSource, SourceKind
from civiquest.assistant.sections import intent_sections
from civiquest.assistant.types import Passage
from civiquest.assistant.units import MAX_SENTENCE_CHARS, units
from tests.assistant.test_providers_fake_server import StaticRetriever

SP = "https://www.service-public.fr/particuliers/vosdroits/"
UPDATED = datetime.date(2026, 3, 12)


def fiche(text: str, trail: tuple[str, ...] = (), *, key: str = "F1341", chunk_id: int = 1, score=0.8) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        source_id=int(key[1:]) if key[1:].isdigit() else 1,
        source_kind="fiche",
        source_key=key,
        title="Carte d'identité d'un majeur : première demande",
        url=SP + key,
        trail=trail,
        text=text,
        score=score,
        updated_on=UPDATED,
    )


WHERE = fiche(
    "Le lieu de la demande ne dépend pas du domicile. Vous pouvez vous rendre à n'importe quelle mairie équipée "
    "d'une station d'enregistrement.\nVotre présence est indispensable pour la prise d'empreintes.",
    ("Demande en France", "Où et comment faire la demande ?"),
)
COST = fiche("Gratuit", ("Demande en France", "Coût"), chunk_id=2)
DELAY = fiche(
    "La carte d'identité n'est pas fabriquée sur place. Le délai de fabrication dépend du lieu et de la période, "
    "en général 2 à 3 semaines.",
    ("Demande en France", "Délais de fabrication"),
    chunk_id=3,
)
DOCUMENTS = fiche(
    "Il faut présenter les documents originaux.\nVous devez fournir :\n- Votre passeport\n"
    "- Photo d'identité de moins de 6 mois et conforme aux normes\n- Justificatif de domicile",
    ("Demande en France", "Pièces à fournir"),
    chunk_id=4,
)
OTHER = Passage(
    chunk_id=9,
    source_id=9,
    source_kind="fiche",
    source_key="F9",
    title="Passeport en urgence",
    url=SP + "F9",
    trail=("Coût",),
    text="Le passeport temporaire coûte 45 €.",
    score=0.7,
)


def extract(question: str, *passages: Passage, sections: tuple[Passage, ...] = ()):
    return ExtractiveProvider().extract(question=question, passages=passages, sections=sections)


# --- The intent picks the section ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "section", "said"),
    [
        ("combien ça coûte une carte d'identité ?", "Demande en France › Coût", "« Gratuit »"),
        ("c'est payant la carte d'identité ?", "Demande en France › Coût", "« Gratuit »"),
        ("ça prend combien de temps pour avoir la carte d'identité ?", "Délais de fabrication", "2 à 3 semaines"),
        ("quels papiers pour la carte d'identité ?", "Pièces à fournir", "« Vous devez fournir : »"),
        ("où faut-il aller pour la carte d'identité ?", "Où et comment faire la demande", "mairie"),
    ],
)
def test_the_first_quote_answers_what_was_asked(question, section, said):
    text = extract(question, WHERE, sections=(COST, DELAY, DOCUMENTS)).text
    first = text.splitlines()[1]
    assert first.startswith("- ") and f"{section} : «" in first, text
    assert said in first, text


def test_a_list_is_quoted_whole_with_its_lead_in():
    result = extract("quels documents pour une carte d'identité ?", DOCUMENTS)
    quote = result.quotes[0]
    assert quote.answers and quote.unit is not None and quote.unit.is_list
    assert result.text.splitlines()[1:5] == [
        "- Demande en France › Pièces à fournir : « Vous devez fournir : »",
        "  - « Votre passeport »",
        "  - « Photo d'identité de moins de 6 mois et conforme aux normes »",
        "  - « Justificatif de domicile »",
    ]


def test_a_short_answer_is_only_quoted_from_the_section_that_names_it():
    assert "Gratuit" in extract("combien coûte la carte d'identité", COST).text
    # "Gratuit" alone says nothing out of its "Coût" section.
    assert "Gratuit" not in extract("combien coûte la carte", fiche("Gratuit", ("Démarche",))).text


def test_what_answers_comes_from_the_best_sources_only():
    # The second source also states a cost: quoted after the first's, each with its own source line.
    result = extract("combien coûte la carte d'identité ?", WHERE, OTHER, sections=(COST,))
    assert [quote.passage.source_key for quote in result.quotes if quote.answers][:2] == ["F1341", "F9"]
    assert result.text.index("« Gratuit »") < result.text.index("45 €")


def test_when_nothing_answers_the_intent_the_answer_says_so():
    result = extract("combien coûte la carte d'identité ?", WHERE)
    assert not result.answers_intent
    assert "Ces extraits ne précisent pas le coût ou le montant : vérifiez la fiche officielle." in result.text
    # A pointer, not an answer: the best source's sentences only.
    assert {quote.passage.source_key for quote in result.quotes} == {"F1341"}


def test_a_general_question_is_answered_by_the_words_it_shares():
    result = extract("prise d'empreintes en mairie", WHERE, DELAY)
    assert result.intents == ()
    assert result.answers_intent
    assert "« Votre présence est indispensable pour la prise d'empreintes. »" in result.text


# --- Whole sentences, no metadata ------------------------------------------------------------------


def test_sentences_are_never_cut():
    long = "Cette phrase " + "très " * 120 + "longue concerne le passeport."
    assert len(long) > MAX_SENTENCE_CHARS
    passage = fiche(f"Le passeport se demande en mairie. {long} Le passeport est valable 10 ans.")
    result = extract("passeport mairie valable", passage)
    assert "…" not in result.text and "très très" not in result.text
    for quote in result.quotes:
        assert quote.sentence in passage.text and quote.sentence.endswith(".")


@pytest.mark.parametrize(
    "metadata",
    [
        "Mots-clés : CNI carte nationale d'identité titre ANTS pré-demande perte vol",
        "Voir aussi : Passeport d'un majeur",
        "Références : Code civil : articles 47 et 48",
        "Pour en savoir plus : Agence nationale des titres sécurisés",
        "À noter ici : Numéro de pré-demande.",
    ],
)
def test_metadata_never_reaches_an_answer(metadata):
    passage = fiche(f"La carte d'identité est gratuite.\n{metadata}\n- carte d'identité\n- pré-demande ANTS")
    text = extract("carte d'identité pré-demande ANTS perte vol gratuite", passage).text
    assert metadata.split(" :")[0] not in text
    assert "pré-demande ANTS" not in text


def test_lead_ins_and_cut_descriptions_are_not_sentences():
    text = "Pour faire la carte d'identité d'un enfant mineur, il faut se rendre en mairie avec une photo …"
    assert units(text) == []
    assert units("Vous devez fournir :") == []  # a lead-in whose list is elsewhere
    assert [unit.text for unit in units("Le passeport coûte 86 €. Voir l'article L. 123-4 du code.")] == [
        "Le passeport coûte 86 €.",
        "Voir l'article L. 123-4 du code.",
    ]


# --- The update date and the links -----------------------------------------------------------------


def test_each_source_shows_its_update_date():
    result = extract("combien coûte la carte d'identité ?", WHERE, OTHER, sections=(COST,))
    lines = result.text.splitlines()
    source = lines.index(f"  Source : {WHERE.title} ({SP}F1341)")
    assert lines[source + 1] == "  Fiche mise à jour le 12 mars 2026"
    assert "  Source : Passeport en urgence" in result.text  # no date known: no line
    assert result.text.count("mise à jour le") == 1


def test_update_dates_read_as_french_dates():
    first = fiche("x", ())
    assert updated_line(first) == "Fiche mise à jour le 12 mars 2026"
    on_the_first = Passage(**{**first.__dict__, "updated_on": datetime.date(2026, 1, 1)})
    assert updated_line(on_the_first) == "Fiche mise à jour le 1er janvier 2026"
    procedure = Passage(**{**first.__dict__, "source_kind": "procedure"})
    assert updated_line(procedure) == "Démarche mise à jour le 12 mars 2026"
    assert updated_line(Passage(**{**first.__dict__, "updated_on": None})) == ""
    with translation.override("en"):
        assert "2026" in updated_line(first)


def test_a_procedure_link_is_stored_relative_and_shown_absolute(settings):
    settings.CIVIQUEST_PUBLIC_URL = "https://civiquest.example.org"
    procedure = Passage(
        **{
            **WHERE.__dict__,
            "source_kind": "procedure",
            "source_key": "carte-identite",
            "title": "Demander une carte d'identité",
            "url": "/demarches/carte-identite/",
            "trail": (),
        }
    )
    # Quoted as a source (the extractive answer of a procedure's passages), its link is absolute.
    extract = ExtractiveProvider().extract(
        question="mairie équipée d'une station d'enregistrement", passages=[procedure]
    )
    assert "(https://civiquest.example.org/demarches/carte-identite/)" in extract.text
    assert "Voir la démarche : https://civiquest.example.org/demarches/carte-identite/" in extract.text
    assert "[lien masqué]" not in extract.text
    # In an answer a procedure is offered apart, never a source; it keeps the path: the page
    # links it as it is, the API makes it absolute.
    reply = answer("mairie équipée d'une station d'enregistrement", retriever=StaticRetriever(procedure))
    assert reply.citations == ()
    assert reply.procedures[0].url == "/demarches/carte-identite/"


# --- The sections of a cited fiche, from the knowledge base ----------------------------------------


@pytest.fixture
def stored_fiche(db):
    """A fiche with situations, stored as the importer writes it."""
    source = KnowledgeSource.objects.create(
        kind=SourceKind.FICHE, key="F1341", title=WHERE.title, url=SP + "F1341", content_hash="x"
    )
    sections = [
        (("Demande en France", "Où et comment faire la demande ?"), WHERE.text),
        (("Demande en France", "Coût"), "Gratuit"),
        (("Demande en France", "Délais de fabrication"), DELAY.text),
        (("À l'étranger", "Où et comment faire la demande ?"), "Il faut se rendre au consulat."),
        (("À l'étranger", "Coût"), "Gratuit à l'étranger aussi, sauf au consulat honoraire : 10 €."),
        (("Vous êtes français", "Conditions"), "Vous devez être français."),
    ]
    chunks = [
        KnowledgeChunk.objects.create(source=source, position=position, trail=list(trail), text=text)
        for position, (trail, text) in enumerate(sections)
    ]
    return source, chunks


def _found(source, chunk, score=0.8):
    return Passage(
        chunk_id=chunk.pk,
        source_id=source.pk,
        source_kind="fiche",
        source_key=source.key,
        title=source.title,
        url=source.url,
        trail=tuple(chunk.trail),
        text=chunk.text,
        score=score,
        updated_on=UPDATED,
    )


def test_the_section_answering_the_intent_is_found_in_the_same_fiche(stored_fiche):
    source, chunks = stored_fiche
    found = [_found(source, chunks[0])]
    added = intent_sections("combien coûte la carte ?", found, detect("combien coûte la carte ?"))
    assert [passage.trail for passage in added] == [("Demande en France", "Coût")]
    assert {passage.source_key for passage in added} == {"F1341"}
    assert intent_sections("carte d'identité", found, ()) == []


def test_the_situation_the_question_names_wins(stored_fiche):
    source, chunks = stored_fiche
    found = [_found(source, chunks[0])]
    question = "combien coûte la carte à l'étranger ?"
    assert [passage.trail for passage in intent_sections(question, found, detect(question))] == [
        ("À l'étranger", "Coût")
    ]


def test_without_a_named_situation_the_usual_case_wins_over_the_one_found(stored_fiche):
    source, chunks = stored_fiche
    found = [_found(source, chunks[3])]  # retrieval happened to pick the consulate's section
    question = "combien coûte la carte ?"
    assert [passage.trail for passage in intent_sections(question, found, detect(question))] == [
        ("Demande en France", "Coût")
    ]


def test_the_whole_pipeline_quotes_the_section_retrieval_did_not_return(stored_fiche):
    source, chunks = stored_fiche
    reply = answer("c'est payant la carte d'identité ?", retriever=StaticRetriever(_found(source, chunks[0])))
    assert reply.outcome == "answered"
    assert reply.text.splitlines()[1] == "- Demande en France › Coût : « Gratuit »"
    assert "Fiche mise à jour le 12 mars 2026" in reply.text
    assert [citation.id for citation in reply.citations] == ["F1341"]
