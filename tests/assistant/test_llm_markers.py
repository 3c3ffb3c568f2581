"""LLM mode: the model's "[n]" markers checked against the sources it was given, over the fake server."""

from __future__ import annotations

import itertools

import pytest

from civiquest.assistant.answering import answer, answer_stream
from civiquest.assistant.markers import MarkerFilter, invalid_markers_notice, marker_targets
from tests.assistant.test_providers_fake_server import (
    MOVING,
    PASSPORT,
    StaticRetriever,
    fake_llm,
    openai_settings,
    passage,
)

__all__ = ["fake_llm", "openai_settings"]

NOTICE = (
    "Cette réponse renvoyait à des sources qui ne lui avaient pas été données : ces renvois ont été retirés. "
    "Vérifiez l'information dans les sources citées."
)
# A second passage of the passport fiche: two passages, one citation.
PASSPORT_PRICE = passage("Le timbre fiscal coûte 86 euros.", chunk_id=3)


def _sources_sent(fake) -> int:
    return fake.requests[-1].json["messages"][1]["content"].count("<source ")


def test_a_marker_to_a_source_not_given_is_removed_and_the_reply_says_so(openai_settings, fake_llm):
    # Split as a model streams: the markers arrive in several pieces.
    fake_llm.chunks = ["Le passeport se demande en mairie [", "1] et coûte 86 euros [", "7", "]. Voir aussi [2]."]
    events = list(answer_stream("Où demander un passeport ?", retriever=StaticRetriever(PASSPORT, MOVING)))
    reply = events[-1].reply
    assert _sources_sent(fake_llm) == 2
    assert reply.provider == "openai_compatible"
    assert reply.text == "Le passeport se demande en mairie [1] et coûte 86 euros. Voir aussi [2]."
    assert reply.invalid_markers == 1
    assert reply.notice == NOTICE
    # What was streamed is what is kept: the invalid marker never reached the page.
    assert "".join(e.data for e in events if e.kind == "token") == reply.text
    assert [e.data for e in events if e.kind == "notice"] == [NOTICE]
    assert [e.kind for e in events][-2:] == ["notice", "done"]


def test_valid_markers_stay_and_no_notice_is_given(openai_settings, fake_llm):
    fake_llm.reply = "Prenez rendez-vous en mairie [1]. Signalez ensuite votre déménagement [2]."
    reply = answer("Où demander un passeport ?", retriever=StaticRetriever(PASSPORT, MOVING))
    assert reply.text == fake_llm.reply
    assert reply.invalid_markers == 0 and reply.notice == ""


def test_every_marker_invalid_with_one_source(openai_settings, fake_llm):
    fake_llm.reply = "Le passeport se demande en mairie [2][3]. Il coûte 86 euros [source 4]. Voir [0]."
    reply = answer("Où demander un passeport ?", retriever=StaticRetriever(PASSPORT))
    assert _sources_sent(fake_llm) == 1
    assert reply.text == "Le passeport se demande en mairie. Il coûte 86 euros. Voir."
    assert reply.invalid_markers == 4
    assert reply.notice == NOTICE


def test_a_list_marker_keeps_its_valid_numbers(openai_settings, fake_llm):
    fake_llm.reply = "Deux démarches distinctes [1, 5] et [2; 9]."
    reply = answer("Où demander un passeport ?", retriever=StaticRetriever(PASSPORT, MOVING))
    assert reply.text == "Deux démarches distinctes [1] et [2]."
    assert reply.invalid_markers == 2


def test_markers_name_the_source_shown_when_two_passages_come_from_one_fiche(openai_settings, fake_llm):
    # Sources sent: 1 and 2 (the passport fiche), 3 (moving); the page lists 2 citations.
    fake_llm.reply = "Le timbre coûte 86 euros [2]. Le déménagement se déclare en ligne [3]."
    reply = answer("timbre et déménagement", retriever=StaticRetriever(PASSPORT, PASSPORT_PRICE, MOVING))
    assert _sources_sent(fake_llm) == 3
    assert [citation.id for citation in reply.citations] == ["F1342", "F15279"]
    assert reply.text == "Le timbre coûte 86 euros [1]. Le déménagement se déclare en ligne [2]."
    assert reply.invalid_markers == 0


def test_the_notice_is_translated(openai_settings, fake_llm, settings):
    from django.utils import translation

    with translation.override("fr"):
        assert invalid_markers_notice() == NOTICE


TEXT = "Allez en mairie [1] puis [ 7 ], voir [2, 9] et [source 2] ; tableau [a] et crochet [ seul"


def _filtered(pieces: list[str]) -> tuple[str, int]:
    markers = MarkerFilter({1: 1, 2: 2})
    out = "".join(markers.feed(piece) for piece in pieces) + markers.flush()
    return out, markers.invalid


def test_the_filter_gives_the_same_text_however_the_stream_is_cut():
    whole, invalid = _filtered([TEXT])
    assert whole == "Allez en mairie [1] puis, voir [2] et [2] ; tableau [a] et crochet [ seul"
    assert invalid == 2
    for first, second in itertools.combinations(range(1, len(TEXT)), 2):
        pieces = [TEXT[:first], TEXT[first:second], TEXT[second:]]
        assert _filtered(pieces) == (whole, invalid), pieces
    assert _filtered(list(TEXT)) == (whole, invalid)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_targets_cover_exactly_the_sources_sent(count):
    passages = [PASSPORT, MOVING, PASSPORT_PRICE][:count]
    from civiquest.assistant.answering import citations_for

    targets = marker_targets(passages, citations_for(passages))
    assert sorted(targets) == list(range(1, count + 1))
