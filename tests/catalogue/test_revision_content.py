"""A frozen revision's steps and fields come from the cache; a draft's from the database."""

from __future__ import annotations

import pytest

from civiquest.catalogue.models import ProcedureRevision
from civiquest.catalogue.services import revision_content, revision_draft_ensure, revision_loaded

pytestmark = pytest.mark.django_db


def shape(revision: ProcedureRevision) -> list[tuple[str, list[str]]]:
    return [(step.slug, [field_.name for field_ in step.fields.all()]) for step in revision.steps.all()]


def fresh(revision: ProcedureRevision) -> ProcedureRevision:
    return ProcedureRevision.objects.select_related("procedure").get(pk=revision.pk)


def test_a_published_revision_is_read_once_then_cached(passport, django_assert_num_queries):
    published = passport.revisions.get()
    expected = shape(revision_loaded(published.pk))
    first, again = fresh(published), fresh(published)
    with django_assert_num_queries(2):  # its steps, their fields
        revision_content(first)
    with django_assert_num_queries(0):
        revision_content(again)
        assert shape(again) == shape(first) == expected != []
        # Each step knows its revision, the caller's instance (with its procedure, never cached).
        assert all(step.revision is again for step in again.steps.all())
        assert again.procedure == passport


def test_a_draft_is_read_each_time(passport, django_assert_num_queries):
    draft = revision_draft_ensure(procedure=passport)
    expected = shape(revision_loaded(draft.pk))
    for instance in (fresh(draft), fresh(draft)):
        with django_assert_num_queries(2):
            revision_content(instance)
        assert shape(instance) == expected
