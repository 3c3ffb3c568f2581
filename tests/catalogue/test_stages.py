"""Stages of a journey: declared by the catalogue or the builder, grouped past 8, copied with revisions."""

from __future__ import annotations

import pytest

from civiquest.actions.catalogue import catalogue_load
from civiquest.catalogue.checks import revision_problems
from civiquest.catalogue.definitions.carte_identite import CARTE_IDENTITE
from civiquest.catalogue.definitions.passeport import PASSEPORT
from civiquest.catalogue.models import Procedure, ProcedureRevision, RevisionStatus, Step, StepKind
from civiquest.catalogue.services import revision_draft_ensure, revision_loaded
from civiquest.catalogue.stages import MAX_STAGES, stages_of
from civiquest.www.staff.builder_step_forms import StepForm
from tests.catalogue.factories import published


def steps(*stages: str) -> list[Step]:
    return [
        Step(pk=number, slug=f"s{number}", title=f"Step {number}", stage=stage) for number, stage in enumerate(stages)
    ]


def shape(result) -> list[tuple[str, int]]:
    return [(stage.label, len(stage.steps)) for stage in result]


def test_consecutive_steps_with_a_label_are_one_stage_and_a_step_without_is_its_own():
    result = stages_of(steps("", "Pièces", "Pièces", "Pièces", "", "Rendez-vous", "Rendez-vous"))
    assert shape(result) == [("Step 0", 1), ("Pièces", 3), ("Step 4", 1), ("Rendez-vous", 2)]
    assert [stage.number for stage in result] == [1, 2, 3, 4]
    assert [stage.declared for stage in result] == [False, True, False, True]


@pytest.mark.parametrize(
    ("count", "sizes"), [(8, [1] * 8), (9, [2, 2, 2, 2, 1]), (13, [2, 2, 2, 2, 2, 2, 1]), (20, [3] * 6 + [2])]
)
def test_past_eight_steps_without_stages_they_are_grouped_automatically(count, sizes):
    result = stages_of(steps(*[""] * count))
    assert [len(stage.steps) for stage in result] == sizes
    assert len(result) <= MAX_STAGES
    # Every step once, in order; each stage named after its first step.
    assert [step.pk for stage in result for step in stage.steps] == list(range(count))
    assert all(stage.label == stage.steps[0].title for stage in result)


def test_declared_stages_that_still_make_more_than_eight_are_grouped_automatically():
    result = stages_of(steps("A", "A", *[""] * 9))
    assert len(result) <= MAX_STAGES
    assert not any(stage.declared for stage in result)


def test_no_visible_step_no_stage():
    assert stages_of([]) == []


@pytest.mark.django_db
def test_the_passport_and_the_identity_card_declare_their_stages_in_the_catalogue():
    catalogue_load([PASSEPORT, CARTE_IDENTITE])
    for slug, labels in (
        (
            PASSEPORT.slug,
            [
                "Votre situation",
                "Vos informations",
                "Pré-demande et timbre fiscal",
                "Pièces justificatives",
                "Rendez-vous en mairie",
                "Instruction",
            ],
        ),
        (
            CARTE_IDENTITE.slug,
            [
                "Votre situation",
                "Timbre fiscal et pré-demande",
                "Pièces justificatives",
                "Rendez-vous en mairie",
                "Instruction",
            ],
        ),
    ):
        revision = ProcedureRevision.objects.get(procedure__slug=slug, status=RevisionStatus.PUBLISHED)
        all_steps = list(revision_loaded(revision.pk).steps.all())
        assert all(step.stage for step in all_steps)
        assert [stage.label for stage in stages_of(all_steps)] == labels
    # Loading again changes nothing: the stages are part of the revision's content.
    assert {result.action for result in catalogue_load([PASSEPORT, CARTE_IDENTITE])} == {"unchanged"}


@pytest.mark.django_db
def test_a_new_draft_copies_the_stages():
    catalogue_load([PASSEPORT])
    procedure = Procedure.objects.get(slug=PASSEPORT.slug)
    draft = revision_draft_ensure(procedure=procedure)
    assert draft.status == RevisionStatus.DRAFT
    assert dict(draft.steps.values_list("slug", "stage"))["ancien-passeport"] == "Pièces justificatives"


@pytest.mark.django_db
def test_a_stage_split_by_another_step_keeps_a_revision_from_being_published():
    _procedure, revision = published(
        [
            {"slug": "a", "title": "A", "kind": StepKind.INFO, "stage": "Début"},
            {"slug": "b", "title": "B", "kind": StepKind.INFO, "stage": "Milieu"},
            {"slug": "c", "title": "C", "kind": StepKind.INFO},
        ]
    )
    assert revision_problems(revision_loaded(revision.pk)) == []
    loaded = revision_loaded(revision.pk)
    loaded_steps = list(loaded.steps.all())
    loaded_steps[2].stage = "Début"  # in memory: a published revision is frozen
    problems = revision_problems(loaded)
    assert len(problems) == 1 and "« Début »" in problems[0] and "ne se suivent pas" in problems[0]


def test_the_builder_step_form_edits_the_stage():
    form = StepForm(
        data={"title": "Photo", "slug": "photo", "kind": StepKind.INFO, "stage": "  Pièces justificatives "}
    )
    assert form.is_valid(), form.errors
    assert form.values()["stage"] == "Pièces justificatives"
    assert (
        StepForm(step=Step(title="Photo", slug="photo", kind=StepKind.INFO, stage="Pièces")).initial["stage"]
        == "Pièces"
    )


def test_every_definition_names_existing_steps_in_its_stages():
    from civiquest.catalogue.definitions import CATALOGUE

    for definition in CATALOGUE:
        slugs = [spec["slug"] for spec in definition.steps]
        for _label, named in definition.stages:
            assert set(named) <= set(slugs), definition.slug


@pytest.mark.django_db
def test_a_stage_naming_an_unknown_step_is_refused_by_the_loader():
    from dataclasses import replace

    from civiquest.catalogue.definitions.loader import CatalogueInvalid

    broken = replace(PASSEPORT, stages=(*PASSEPORT.stages, ("Plus tard", ("inexistante",))))
    with pytest.raises(CatalogueInvalid, match="stages name unknown steps: inexistante"):
        catalogue_load([broken])
