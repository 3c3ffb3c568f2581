"""The ranking's rules on hand-made situations (pure: no database)."""

from __future__ import annotations

import datetime as dt

from civiquest.recommendations.engine import ProcedureRef, RuleSpec, Situation, recommend

TODAY = dt.date(2026, 10, 5)
GRANT = RuleSpec(
    code="etudes-bourse",
    trigger="etudes",
    procedure_id=1,
    procedure_slug="bourse-etudiant",
    procedure_title="Bourse",
    deadline={"last": "05-15"},
    eligibility={"max_age": 28},
)
POPULAR = {1: ProcedureRef("bourse-etudiant", "Bourse"), 2: ProcedureRef("acte-naissance", "Acte")}


def test_a_procedure_whose_rules_are_for_another_age_is_never_suggested_as_popular() -> None:
    retired = Situation(today=TODAY, birthdate=dt.date(1950, 1, 1), popularity={1: 90, 2: 10}, procedures=POPULAR)
    student = Situation(today=TODAY, birthdate=dt.date(2006, 1, 1), popularity={1: 90, 2: 10}, procedures=POPULAR)

    assert [item.procedure_slug for item in recommend(retired, [GRANT]).items] == ["acte-naissance"]
    assert [item.procedure_slug for item in recommend(student, [GRANT]).items] == ["bourse-etudiant", "acte-naissance"]


def test_similar_citizens_suggestions_come_before_popular_ones_and_say_why() -> None:
    situation = Situation(
        today=TODAY,
        completed={2: TODAY},
        similar={2: {3: 0.4}},
        popularity={1: 90, 3: 5},
        procedures={**POPULAR, 3: ProcedureRef("casier-judiciaire", "Casier")},
    )
    items = recommend(situation, []).items
    assert [(item.procedure_slug, item.kind) for item in items] == [
        ("casier-judiciaire", "similar"),
        ("bourse-etudiant", "popular"),
    ]
    assert items[0].reason == "Souvent faite par les usagers qui ont aussi fait « Acte »"


def test_with_similar_switched_off_only_rules_and_expiry_remain() -> None:
    situation = Situation(
        today=TODAY,
        use_similar=False,
        completed={2: TODAY},
        similar={2: {3: 0.4}},
        popularity={1: 90},
        procedures=POPULAR,
    )
    assert recommend(situation, []).items == ()
