"""Builder services: each inconsistency refuses publication; edits are audited and keep positions tidy."""

from __future__ import annotations

from typing import Any

import pytest

from civiquest.accounts.models import AuditEvent, Service, ServiceKind
from civiquest.catalogue import builder
from civiquest.catalogue.errors import RevisionFrozen, RevisionInvalid
from civiquest.catalogue.models import (
    FieldKind,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    StepKind,
)
from civiquest.catalogue.services import revision_loaded
from tests.accounts.factories import StaffFactory
from tests.catalogue.factories import published

pytestmark = pytest.mark.django_db

VALUES = {
    "slug": "essai",
    "title": "Essai",
    "summary": "Une démarche d’essai.",
    "theme": "loisirs",
    "audience": "particuliers",
    "official_links": [],
    "instructing_service": None,
    "estimated_minutes": 5,
    "cost_label": "",
    "cost_cents": 0,
    "legal_delay_days": None,
}


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def draft(staff) -> ProcedureRevision:
    procedure = builder.procedure_create(actor=staff, values=VALUES, life_events=[])
    return ProcedureRevision.objects.get(procedure=procedure, status=RevisionStatus.DRAFT)


def _step(staff: Any, draft: ProcedureRevision, slug: str, kind: str = StepKind.INFO, **values: Any):
    return builder.step_add(actor=staff, revision=draft, values={"slug": slug, "title": slug, "kind": kind, **values})


def _field(staff: Any, step: Any, name: str, kind: str = FieldKind.TEXT, **values: Any):
    return builder.field_add(actor=staff, step=step, values={"name": name, "label": name, "kind": kind, **values})


def _problems(draft: ProcedureRevision) -> list[str]:
    return builder.builder_problems(revision_loaded(draft.pk))


def test_a_consistent_guided_draft_publishes(staff, draft):
    _step(staff, draft, "info")
    form = _step(staff, draft, "form", StepKind.FORM)
    _field(staff, form, "nom")
    revision = builder.publish(actor=staff, procedure=draft.procedure)
    assert revision.pk == draft.pk and revision.number == 1
    assert Procedure.objects.get(pk=draft.procedure_id).status == ProcedureStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="procedure.publish", details__revision=1).count() == 1


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda s, d: None, "La révision n’a aucune étape."),
        (
            lambda s, d: _field(
                s, _step(s, d, "f", StepKind.FORM, condition={"field": "x", "op": "eq", "value": 1}), "a"
            ),
            "« x », qui n’est pas un champ placé avant",
        ),
        (lambda s, d: _step(s, d, "revue", StepKind.AGENT_REVIEW), "demande un service instructeur"),
        (lambda s, d: _step(s, d, "pieces", StepKind.DOCUMENTS), "les pièces demandées sont invalides"),
        (lambda s, d: _step(s, d, "vide", StepKind.FORM), "un formulaire doit avoir au moins un champ"),
        (lambda s, d: _step(s, d, "liste", StepKind.CHECKLIST), "la liste de vérification est vide"),
        (lambda s, d: _step(s, d, "ailleurs", StepKind.OUTSIDE_SERVICE), "adresse du site officiel"),
        (
            lambda s, d: (_step(s, d, "un", title="Même"), _step(s, d, "deux", title="Même")),
            "Deux étapes portent le même titre",
        ),
        (
            lambda s, d: _field(s, _step(s, d, "f", StepKind.FORM), "choix", FieldKind.SINGLE_CHOICE),
            "il faut des choix",
        ),
        (
            lambda s, d: (
                _field(s, step := _step(s, d, "f", StepKind.FORM), "oui_non", FieldKind.YES_NO),
                _field(s, step, "b", condition={"field": "oui_non", "op": "eq", "value": "oui"}),
            ),
            "attend oui ou non",
        ),
    ],
)
def test_each_inconsistency_refuses_publication(staff, draft, build, expected):
    build(staff, draft)
    with pytest.raises(RevisionInvalid) as refused:
        builder.publish(actor=staff, procedure=draft.procedure)
    assert any(expected in problem for problem in refused.value.problems), refused.value.problems
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.DRAFT
    assert not AuditEvent.objects.filter(action="procedure.publish").exists()


def test_agent_review_is_fine_with_an_instructing_service(staff, draft):
    service = Service.objects.create(name="Mairie", kind=ServiceKind.MAIRIE)
    builder.procedure_update(
        actor=staff, procedure=draft.procedure, values={**VALUES, "instructing_service": service}, life_events=[]
    )
    _step(staff, draft, "revue", StepKind.AGENT_REVIEW)
    assert _problems(draft) == []


def test_moves_swap_neighbours_and_deletes_close_gaps(staff, draft):
    steps = [_step(staff, draft, slug) for slug in ("a", "b", "c")]
    builder.step_move(actor=staff, step=steps[2], direction=builder.UP)
    assert list(draft.steps.values_list("slug", flat=True)) == ["a", "c", "b"]
    builder.step_move(actor=staff, step=steps[1], direction=builder.DOWN)  # already last: nothing
    builder.step_delete(actor=staff, step=steps[0])
    assert list(draft.steps.values_list("slug", "position")) == [("c", 1), ("b", 2)]
    form = _step(staff, draft, "f", StepKind.FORM)
    fields = [_field(staff, form, name) for name in ("x", "y", "z")]
    builder.field_move(actor=staff, field_=fields[0], direction=builder.DOWN)
    builder.field_delete(actor=staff, field_=fields[2])
    assert list(form.fields.values_list("name", "position")) == [("y", 1), ("x", 2)]
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("step.move") == 1 and actions.count("field.move") == 1
    assert actions.count("step.delete") == 1 and actions.count("field.delete") == 1


def test_earlier_fields_are_the_ones_placed_before(staff, draft):
    first = _step(staff, draft, "un", StepKind.FORM)
    a, b = _field(staff, first, "a"), _field(staff, first, "b")
    second = _step(staff, draft, "deux", StepKind.FORM)
    c = _field(staff, second, "c")
    assert builder.earlier_fields(second) == [a, b]
    assert builder.earlier_fields(second, before=c) == [a, b]
    assert builder.earlier_fields(first, before=b) == [a]


def test_published_revisions_cannot_be_edited_through_the_builder(staff):
    procedure, revision = published([{"slug": "info", "title": "Info", "kind": StepKind.INFO}])
    step = revision.steps.get()
    with pytest.raises(RevisionFrozen):
        builder.step_update(actor=staff, step=step, values={"title": "Autre"})
    with pytest.raises(RevisionFrozen):
        builder.step_delete(actor=staff, step=step)
    assert not AuditEvent.objects.exists()


def test_draft_ensure_audits_only_a_new_draft(staff):
    procedure, _revision = published([{"slug": "info", "title": "Info", "kind": StepKind.INFO}])
    first = builder.draft_ensure(actor=staff, procedure=procedure)
    again = builder.draft_ensure(actor=staff, procedure=procedure)
    assert first.pk == again.pk and first.number == 2
    assert AuditEvent.objects.filter(action="revision.draft").count() == 1
    assert first.steps.count() == 1
