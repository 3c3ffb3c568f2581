"""Retrieval over the on-disk index: results, scores, typos, procedure boost, atomic rebuilds."""

from __future__ import annotations

import json
import os

import pytest

from civiquest.assistant import indexing, services
from civiquest.assistant.models import KnowledgeChunk
from civiquest.assistant.retrieval import build_index, get_retriever
from tests.assistant.fixtures.kb import (
    SAMPLES,
    XML_FIXTURES,
    index_dir,  # noqa: F401 - pytest fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(index_dir):  # noqa: F811
    """Fixtures and the four sample fiches of the repository imported and indexed."""
    services.feed_import(path=XML_FIXTURES, delete_missing=False)
    services.feed_import(path=SAMPLES, delete_missing=False)
    build_index()
    return index_dir


def keys(passages) -> list[str]:
    return list(dict.fromkeys(passage.source_key for passage in passages))


def test_no_index_means_no_passages(index_dir):  # noqa: F811
    assert not index_dir.exists()
    assert get_retriever().search("passeport") == []


def test_an_empty_knowledge_base_builds_an_index_that_finds_nothing(index_dir):  # noqa: F811
    build_index()
    assert get_retriever().search("passeport") == []


def test_passages_carry_their_source_and_trail(corpus):
    passages = get_retriever().search("donner procuration pour voter à ma place", limit=3)
    assert passages, "nothing found"
    best = passages[0]
    assert best.source_kind == "fiche"
    assert best.source_key == "F1604"
    assert best.title == "Vote par procuration"
    assert best.url == "https://www.service-public.fr/particuliers/vosdroits/F1604"
    chunk = KnowledgeChunk.objects.get(pk=best.chunk_id)
    assert chunk.source_id == best.source_id
    # The passage is the chunk, with the short chunks after it in its section merged in.
    assert best.text.startswith(chunk.text)
    assert best.trail == tuple(chunk.trail[: len(best.trail)])


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("j'ai perdu ma carte vitale", "F265"),
        ("carte vital cassée", "F265"),  # typo, no listed rewrite
        ("combien je peux toucher d'apl pour mon appart", "F12006"),
        ("Procurasion pour les élections", "F1604"),  # typo
        ("AIDE PERSONNALISEE AU LOGEMENT", "F12006"),  # case and accents
    ],
)
def test_expected_fiches_come_first(corpus, question, expected):
    assert keys(get_retriever().search(question, limit=5))[0] == expected


def test_sample_fiches_are_found_even_with_typos(corpus):
    assert "F14929" in keys(get_retriever().search("pasport premiere demande majeur", limit=5))[:2]
    assert keys(get_retriever().search("recensment a 16 ans", limit=5))[0] == "F870"
    assert keys(get_retriever().search("date limite declaration d'impots", limit=5))[0] == "F358"


def test_scores_are_between_0_and_1_best_first_and_low_for_unknown_subjects(corpus):
    relevant = get_retriever().search("vote par procuration", limit=5)
    scores = [passage.score for passage in relevant]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert scores[0] > 0.5
    unrelated = get_retriever().search("recette de la blanquette de veau", limit=5)
    assert all(passage.score < 0.25 for passage in unrelated)


def test_at_most_two_passages_per_source(corpus):
    passages = get_retriever().search("procuration vote mandataire élection", limit=10)
    per_source: dict[str, int] = {}
    for passage in passages:
        per_source[passage.source_key] = per_source.get(passage.source_key, 0) + 1
    assert max(per_source.values()) <= 2


def test_the_procedure_being_done_is_boosted(index_dir):  # noqa: F811
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.catalogue.definitions.carte_identite import CARTE_IDENTITE
    from civiquest.catalogue.definitions.passeport import PASSEPORT

    catalogue_load([PASSEPORT, CARTE_IDENTITE])
    services.catalogue_refresh()
    build_index()
    question = "je suis à l'étape du timbre fiscal, je le paie où ?"
    for slug in ("passeport", "carte-identite"):
        assert keys(get_retriever().search(question, limit=5, procedure_slug=slug))[0] == slug
    # An unknown slug changes nothing.
    assert get_retriever().search(question, procedure_slug="nope") == get_retriever().search(question)


def test_a_rebuild_is_atomic_and_picked_up(corpus, monkeypatch):
    retriever = get_retriever()
    assert retriever.search("carte vitale")
    first = os.readlink(corpus / "current")

    # A build that fails half-way leaves the current index alone and no debris.
    def broken(text: str) -> list[str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexing, "index_tokens", broken)
    with pytest.raises(RuntimeError):
        build_index()
    monkeypatch.undo()
    assert os.readlink(corpus / "current") == first
    assert not list(corpus.glob(".tmp-*"))
    assert retriever.search("carte vitale")

    # A successful one swaps the link; the searching process reloads it.
    KnowledgeChunk.objects.filter(source__key="F265").delete()
    second = build_index()
    assert os.readlink(corpus / "current") == second.name != first
    assert "F265" not in keys(retriever.search("carte vitale", limit=5))
    build_index()
    # Only the current build and the one before are kept.
    assert len(list(corpus.glob("build-*"))) == 2


def test_embeddings_fused_by_rank(corpus, settings):
    settings.ASSISTANT_EMBEDDINGS = True
    build = build_index()
    import numpy as np

    vectors = np.load(build / "vectors.npy")
    # One vector per indexed chunk (short chunks are merged: fewer than stored).
    indexed = json.loads((build / "meta.json").read_text())["chunks"]
    assert vectors.shape == (indexed, 512)
    assert 0 < indexed < KnowledgeChunk.objects.count()
    passages = get_retriever().search("je ne peux pas aller voter, quelqu'un peut le faire pour moi ?", limit=5)
    assert "F1604" in keys(passages)[:2]
    assert all(0.0 <= passage.score <= 1.0 for passage in passages)


def test_a_fiches_folders_and_questions_find_it_without_being_shown(tmp_path, index_dir):  # noqa: F811
    """Three fiches alike but for their folder or questions-réponses: those rank theirs first."""
    body = (
        "<Texte><Paragraphe>La déclaration d'une naissance ou d'un décès est faite à la mairie.</Paragraphe></Texte>"
    )
    for key, metadata in (
        ("F9200", ""),
        ("F9201", "<SousDossierPere>Naissance d'un enfant</SousDossierPere>"),
        ("F9202", '<QuestionReponse ID="F1">Que faire après un décès ?</QuestionReponse>'),
    ):
        (tmp_path / f"{key}.xml").write_text(
            f'<Publication xmlns:dc="http://purl.org/dc/elements/1.1/" ID="{key}" type="Fiche d\'information">'
            f"<dc:title>Déclaration à la mairie</dc:title>{metadata}{body}</Publication>"
        )
    services.feed_import(path=tmp_path, delete_missing=False)
    build_index()
    for question, expected in (("déclarer une naissance", "F9201"), ("que faire après un décès", "F9202")):
        passages = get_retriever().search(question, limit=3)
        assert keys(passages)[0] == expected
        assert not any("enfant" in passage.text or "Que faire" in passage.text for passage in passages)
