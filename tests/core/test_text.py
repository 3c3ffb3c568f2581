"""The project's one text folding: what search columns, the guardrails and retrieval compare."""

from __future__ import annotations

import pytest

from civiquest.core.text import fold, search_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Élodie", "elodie"),
        ("CŒUR", "coeur"),
        ("sœur", "soeur"),
        ("Lætitia", "laetitia"),
        ("ÆSCHNE", "aeschne"),
        ("l’état", "l'etat"),
        ("‘quoted’", "'quoted'"),
        ("Jean\u2011Élie", "jean-elie"),
        ("ﬁche", "fiche"),  # a compatibility ligature, expanded by NFKD
        ("garçon à Noël", "garcon a noel"),
        ("", ""),
    ],
)
def test_fold_lowers_strips_accents_and_makes_typography_plain(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_is_idempotent() -> None:
    text = "Prud’hommes : Œuvre d’Æsope, garçon\u2011Noël"
    assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Jean-Élie  N'Guyen", "jean elie n guyen"),
        ("Carte d’identité (CNI)", "carte d identite cni"),
        ("Sœur   Marie-Thérèse", "soeur marie therese"),
        ("  !!  ", ""),
    ],
)
def test_search_key_keeps_only_folded_words(text: str, key: str) -> None:
    assert search_key(text) == key
