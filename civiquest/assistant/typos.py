"""Typo correction against the index's vocabulary: an unknown query term → the closest indexed term."""

from __future__ import annotations

import numpy as np

TYPO_MIN_SIMILARITY = 0.5


class TypoCorrector:
    """Character trigrams → the indexed terms (seen in at least 2 chunks) holding them."""

    def __init__(self, vocab: dict[str, int], doc_freq: np.ndarray) -> None:
        terms = [term for term, column in vocab.items() if doc_freq[column] >= 2 and term.isalpha()]
        postings: dict[str, list[int]] = {}
        sizes = np.zeros(len(terms), dtype=np.float64)
        for row, term in enumerate(terms):
            grams = set(_trigrams(term))
            sizes[row] = len(grams)
            for gram in grams:
                postings.setdefault(gram, []).append(row)
        self.terms = terms
        self.postings = {gram: np.asarray(rows, dtype=np.int32) for gram, rows in postings.items()}
        self.sizes = sizes
        self.doc_freq = np.asarray([doc_freq[vocab[term]] for term in terms], dtype=np.float64)

    def correct(self, token: str) -> str | None:
        """The indexed term closest to an unknown ``token`` (Dice on trigrams ≥ 0.5, few edits), or None."""
        if len(token) < 4 or not token.isalpha() or not self.terms:
            return None
        grams = set(_trigrams(token))
        hits = [self.postings[gram] for gram in grams if gram in self.postings]
        if not hits:
            return None
        common = np.bincount(np.concatenate(hits), minlength=len(self.terms)).astype(np.float64)
        dice = 2 * common / (self.sizes + len(grams))
        ranked = dice + 1e-6 * np.log1p(self.doc_freq)
        allowed = 1 if len(token) <= 6 else 2
        for best in np.argsort(-ranked)[:5]:
            if dice[best] < TYPO_MIN_SIMILARITY:
                break
            candidate = self.terms[int(best)]
            if edit_distance(token, candidate, allowed) <= allowed:
                return candidate
        return None


def edit_distance(first: str, second: str, bound: int) -> int:
    """Levenshtein distance, or ``bound + 1`` as soon as it is known to exceed ``bound``."""
    if abs(len(first) - len(second)) > bound:
        return bound + 1
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        current = [i]
        for j, other in enumerate(second, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > bound:
            return bound + 1
        previous = current
    return previous[-1]


def _trigrams(term: str) -> list[str]:
    padded = f"#{term}#"
    return [padded[i : i + 3] for i in range(len(padded) - 2)]
