"""Item-to-item collaborative filtering: procedures completed by the same citizens.

The citizen × procedure matrix (1 when the citizen completed the procedure) is sparse; its
co-occurrence ``Xᵀ X`` counts, for each pair, the distinct citizens who did both, and its
diagonal each procedure's popularity. A pair is kept only when at least
``SIMILAR_MIN_CITIZENS`` citizens share it (20: no suggestion can point at a few people),
scored by cosine. ``rebuild`` replaces the stored pairs (nightly, Celery beat).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction
from scipy import sparse

from civiquest.core.transactions import atomic
from civiquest.quests.models import Quest
from civiquest.recommendations.models import ProcedurePair, ProcedurePopularity
from civiquest.recommendations.selectors import DONE_STATES, shared_data_forget

DEFAULT_MIN_CITIZENS = 20


@dataclass(frozen=True)
class Model:
    # (procedure, other) → (citizens sharing both, cosine); both directions
    pairs: dict[tuple[int, int], tuple[int, float]]
    popularity: dict[int, int]


def min_citizens() -> int:
    return int(getattr(settings, "RECOMMENDATIONS_SIMILAR_MIN_CITIZENS", DEFAULT_MIN_CITIZENS))


def cooccurrence(done: Iterable[tuple[int, int]], *, minimum: int = DEFAULT_MIN_CITIZENS) -> Model:
    """The model from distinct (citizen, procedure) completions."""
    rows = np.asarray(sorted(set(done)), dtype=np.int64).reshape(-1, 2)
    if not len(rows):
        return Model(pairs={}, popularity={})
    citizens, citizen_index = np.unique(rows[:, 0], return_inverse=True)
    procedures, procedure_index = np.unique(rows[:, 1], return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (citizen_index, procedure_index)),
        shape=(len(citizens), len(procedures)),
    )
    counts = (matrix.T @ matrix).tocoo()
    diagonal = np.asarray(matrix.sum(axis=0)).ravel()
    pairs: dict[tuple[int, int], tuple[int, float]] = {}
    for a, b, shared in zip(counts.row, counts.col, counts.data, strict=True):
        if a != b and shared >= minimum:
            cosine = float(shared) / float(np.sqrt(diagonal[a] * diagonal[b]))
            pairs[(int(procedures[a]), int(procedures[b]))] = (int(shared), cosine)
    popularity = {int(procedures[index]): int(count) for index, count in enumerate(diagonal)}
    return Model(pairs=pairs, popularity=popularity)


def completions() -> list[tuple[int, int]]:
    return list(Quest.objects.filter(state__in=DONE_STATES).values_list("citizen_id", "procedure_id").distinct())


@atomic
def rebuild() -> Model:
    """Replace the stored pairs and popularity with those of today's completed quests."""
    model = cooccurrence(completions(), minimum=min_citizens())
    ProcedurePair.objects.all().delete()
    ProcedurePair.objects.bulk_create(
        ProcedurePair(procedure_id=a, other_id=b, citizens=shared, score=score)
        for (a, b), (shared, score) in model.pairs.items()
    )
    ProcedurePopularity.objects.all().delete()
    ProcedurePopularity.objects.bulk_create(
        ProcedurePopularity(procedure_id=procedure_id, citizens=count)
        for procedure_id, count in model.popularity.items()
    )
    transaction.on_commit(shared_data_forget)
    return model
