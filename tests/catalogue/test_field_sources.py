"""A field mapped to an identity or profile attribute ("dites-le-nous une fois"): the builder's form
refuses a mapping its kind cannot hold, publication checks it, a new revision keeps it, and the
catalogue's identity procedures declare theirs."""

from __future__ import annotations

import pytest

from civiquest.catalogue import builder
from civiquest.catalogue.definitions import CATALOGUE
from civiquest.catalogue.field_sources import FieldSource, is_identity_source
from civiquest.catalogue.models import Field, FieldKind, ProcedureRevision, RevisionStatus, StepKind
from civiquest.catalogue.services import revision_draft_ensure, revision_loaded
from civiquest.www.staff.builder_step_forms import FieldForm
from tests.accounts.factories import StaffFactory
from tests.catalogue.factories import published

pytestmark = pytest.mark.django_db


def form(**values):
    data = {"label": "Nom", "name": "nom", "kind": FieldKind.TEXT, "decimal_places": "0", "condition_op": "eq"}
    data.update(values)
    return FieldForm(data=data)


@pytest.mark.parametrize(
    ("kind", "source", "choices", "valid"),
    [
        (FieldKind.TEXT, FieldSource.FAMILY_NAME, "", True),
        (FieldKind.DATE, FieldSource.BIRTHDATE, "", True),
        (FieldKind.TEXT, FieldSource.BIRTHDATE, "", False),
        (FieldKind.DATE, FieldSource.GIVEN_NAMES, "", False),
        (FieldKind.COMMUNE, FieldSource.BIRTHPLACE, "", True),
        (FieldKind.ADDRESS, FieldSource.HOME_ADDRESS, "", True),
        (FieldKind.TEXT, FieldSource.HOME_ADDRESS, "", False),
        (FieldKind.SINGLE_CHOICE, FieldSource.SEX, "f | Féminin\nm | Masculin", True),
        (FieldKind.SINGLE_CHOICE, FieldSource.SEX, "a | A\nb | B", False),
    ],
)
def test_the_builder_form_accepts_a_mapping_only_on_a_field_that_can_hold_it(kind, source, choices, valid):
    bound = form(kind=kind, source=source, choices=choices)
    assert bound.is_valid() is valid, bound.errors
    if valid:
        assert bound.values()["source"] == source
    else:
        assert "source" in bound.errors


def test_removing_a_mapping_removes_its_condition():
    bound = form(source="")
    assert bound.is_valid(), bound.errors
    assert bound.values()["source"] == "" and bound.values()["source_condition"] is None
    mapped = form(source=FieldSource.FAMILY_NAME)
    assert mapped.is_valid() and "source_condition" not in mapped.values()


def test_publication_refuses_a_mapping_the_kind_cannot_hold():
    staff = StaffFactory()
    procedure, revision = published(
        [
            {
                "slug": "vous",
                "title": "Vous",
                "kind": StepKind.FORM,
                "fields": [{"name": "nom", "label": "Nom", "kind": "text"}],
            }
        ]
    )
    draft = revision_draft_ensure(procedure=procedure)
    field_ = Field.objects.get(revision=draft, name="nom")
    builder.field_update(actor=staff, field_=field_, values={"source": FieldSource.BIRTHDATE})
    problems = builder.builder_problems(revision_loaded(draft.pk))
    assert any("donnée déjà connue" in problem for problem in problems)


def test_a_new_revision_keeps_the_mapping_and_its_condition():
    condition = {"field": "pour", "op": "eq", "value": "moi"}
    procedure, revision = published(
        [
            {
                "slug": "vous",
                "title": "Vous",
                "kind": StepKind.FORM,
                "fields": [
                    {"name": "pour", "label": "Pour", "kind": "yes_no"},
                    {
                        "name": "nom",
                        "label": "Nom",
                        "kind": "text",
                        "source": FieldSource.FAMILY_NAME,
                        "source_condition": condition,
                    },
                ],
            }
        ]
    )
    draft = revision_draft_ensure(procedure=procedure)
    assert draft.pk != revision.pk and draft.status == RevisionStatus.DRAFT
    copied = Field.objects.get(revision=draft, name="nom")
    assert copied.source == FieldSource.FAMILY_NAME and copied.source_condition == condition
    builder.publish(actor=StaffFactory(), procedure=procedure)
    assert ProcedureRevision.objects.get(pk=draft.pk).status == RevisionStatus.PUBLISHED


def _sources(definition):
    return {
        field_["name"]: field_.get("source", "")
        for step in definition.steps
        for field_ in step.get("fields", [])
        if field_.get("source")
    }


def test_the_identity_procedures_of_the_catalogue_declare_their_mapping():
    mapped = {definition.slug: _sources(definition) for definition in CATALOGUE}
    with_identity = {slug for slug, sources in mapped.items() if any(map(is_identity_source, sources.values()))}
    # The passport, the identity card and the birth certificate ask for the citizen's identity.
    assert len(with_identity) >= 3
    for sources in mapped.values():
        if "date_naissance" in sources:
            assert sources["date_naissance"] == FieldSource.BIRTHDATE


def test_staff_map_a_field_through_the_builder_pages(client):
    from django.urls import reverse  # noqa: PLC0415

    from civiquest.catalogue.models import Step  # noqa: PLC0415
    from tests.accounts.factories import login_verified  # noqa: PLC0415
    from tests.www.staff.test_builder_pages import _create, _field, _step  # noqa: PLC0415

    login_verified(client, StaffFactory())
    procedure = _create(client)
    client.post(
        reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk}),
        _step(title="Vous", slug="vous", kind=StepKind.FORM, body=""),
    )
    step = Step.objects.get(slug="vous")
    url = reverse("staff:builder-field-create", kwargs={"procedure_id": procedure.pk, "step_id": step.pk})
    page = client.get(url).content.decode()
    assert 'name="source"' in page and "Identité FranceConnect : nom de naissance" in page
    refused = client.post(url, _field(source=FieldSource.BIRTHDATE))
    assert refused.status_code == 400 and not Field.objects.exists()
    assert client.post(url, _field(source=FieldSource.FAMILY_NAME)).status_code == 302
    assert Field.objects.get(name="nom").source == FieldSource.FAMILY_NAME
