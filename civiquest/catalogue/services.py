"""Writes on the catalogue: publishing a revision, opening a draft, closing a procedure, its life events.

- ``revision_publish`` publishes the procedure's draft revision and supersedes the
  published one; it does not open a new draft. The builder calls ``revision_draft_ensure``
  when an administrator starts editing, which copies the published revision (steps and
  fields) into a new draft. Open quests stay on the revision they started on.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.catalogue.checks import revision_problems
from civiquest.catalogue.errors import RevisionInvalid
from civiquest.catalogue.models import (
    REVISION_NEEDS,
    LifeEventCode,
    Procedure,
    ProcedureLifeEvent,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
)
from civiquest.core.errors import ProcedureError


def revision_loaded(revision_id: int) -> ProcedureRevision:
    """A revision with its procedure, steps and fields, ready for ``validation.visibility``."""
    return (
        ProcedureRevision.objects.select_related("procedure")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.prefetch_related("fields")))
        .get(pk=revision_id)
    )


# How long a frozen revision's steps stay in the cache (they never change: this only frees memory).
REVISION_CACHE_SECONDS = 24 * 60 * 60


def _revision_cache_key(revision: ProcedureRevision) -> str:
    # The creation date too: a database rebuilt from scratch may give the same id to another revision.
    # v2: steps carry their ``stage`` (a step cached before it would read it with a query).
    return f"catalogue:revision-steps:v2:{revision.pk}:{revision.created_at.timestamp()}"


def revision_content(revision: ProcedureRevision) -> ProcedureRevision:
    """``revision`` (with its procedure loaded by the caller) given its steps and their fields, as
    ``revision_loaded`` gives them.

    A published or superseded revision never changes (its steps and fields refuse to be saved
    or deleted: ``RevisionFrozen``), so its steps are kept in Django's cache: a quest's writes
    read them without a query once any request read them. A draft is read from the database.
    """
    steps: list[Step] | None = None
    key = _revision_cache_key(revision)
    frozen = revision.status != RevisionStatus.DRAFT
    if frozen:
        steps = cache.get(key)
    if steps is None:
        steps = list(Step.objects.filter(revision_id=revision.pk).prefetch_related("fields"))
        if frozen:
            cache.set(key, steps, REVISION_CACHE_SECONDS)
    return _attach_steps(revision, steps)


def _attach_steps(revision: ProcedureRevision, steps: list[Step]) -> ProcedureRevision:
    for step in steps:
        step.revision = revision
    # What ``prefetch_related("steps")`` leaves on the revision: ``revision.steps.all()`` reads this list.
    loaded = revision.steps.all()
    loaded._result_cache = steps
    loaded._prefetch_done = True  # type: ignore[attr-defined]
    prefetched = {**getattr(revision, "_prefetched_objects_cache", {}), "steps": loaded}
    revision._prefetched_objects_cache = prefetched  # type: ignore[attr-defined]
    return revision


def revisions_content(revisions: Iterable[ProcedureRevision]) -> list[ProcedureRevision]:
    """``revision_content`` for several revisions at once: one cache read, and two queries for those missing.

    For a list of quests on a few revisions (the citizen's "Mes démarches"): each distinct
    revision is given its steps and fields once, whatever the number of quests.
    """
    given = list(revisions)
    distinct = list({revision.pk: revision for revision in given}.values())
    keys = {revision.pk: _revision_cache_key(revision) for revision in distinct}
    frozen = [revision for revision in distinct if revision.status != RevisionStatus.DRAFT]
    cached: dict[str, list[Step]] = cache.get_many([keys[revision.pk] for revision in frozen]) if frozen else {}
    missing = [revision.pk for revision in distinct if keys[revision.pk] not in cached]
    read: dict[int, list[Step]] = {pk: [] for pk in missing}
    if missing:
        for step in (
            Step.objects.filter(revision_id__in=missing).order_by("revision_id", "position").prefetch_related("fields")
        ):
            read[step.revision_id].append(step)
        cache.set_many(
            {keys[revision.pk]: read[revision.pk] for revision in frozen if revision.pk in read},
            REVISION_CACHE_SECONDS,
        )
    for revision in given:  # every instance: quests loaded apart each hold their own copy of a revision
        steps = read[revision.pk] if revision.pk in read else cached[keys[revision.pk]]
        _attach_steps(revision, steps)
    return given


@transaction.atomic
def revision_publish(*, procedure: Procedure) -> ProcedureRevision:
    """Publish the draft revision: it becomes the one new quests start on, the previous one is superseded.

    Refuses a draft with problems (``RevisionInvalid`` lists them). Publishing also makes a
    draft or closed procedure published.
    """
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    draft_id = (
        ProcedureRevision.objects.filter(procedure=locked, status=RevisionStatus.DRAFT)
        .values_list("pk", flat=True)
        .first()
    )
    if draft_id is None:
        raise ProcedureError(_("Cette démarche n’a pas de révision en brouillon à publier."))
    draft = revision_loaded(draft_id)
    problems = revision_problems(draft)
    if problems:
        raise RevisionInvalid(_("Cette révision ne peut pas être publiée."), problems)
    for previous in ProcedureRevision.objects.filter(procedure=locked, status=RevisionStatus.PUBLISHED):
        previous.status = RevisionStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    draft.status = RevisionStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.save(update_fields=["status", "published_at"])
    if locked.status != ProcedureStatus.PUBLISHED:
        locked.status = ProcedureStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
    procedure.status = locked.status
    return draft


@transaction.atomic
def revision_draft_ensure(*, procedure: Procedure) -> ProcedureRevision:
    """The procedure's draft revision, made if needed: a copy of the latest revision, or an empty first one."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    existing = ProcedureRevision.objects.filter(procedure=locked, status=RevisionStatus.DRAFT).first()
    if existing is not None:
        return existing
    latest = ProcedureRevision.objects.filter(procedure=locked).order_by("-number").first()
    if latest is None:
        return ProcedureRevision.objects.create(procedure=locked, number=1)
    source = revision_loaded(latest.pk)
    draft = ProcedureRevision.objects.create(
        procedure=locked,
        number=latest.number + 1,
        xp_per_step=source.xp_per_step,
        completion_xp=source.completion_xp,
        badge_codes=list(source.badge_codes),
        **{name: getattr(source, name) for name in REVISION_NEEDS},
    )
    for step in source.steps.all():
        fields = list(step.fields.all())
        step.pk = None
        step._state.adding = True
        step.revision = draft
        step._loaded_revision_id = None
        step.save()
        for field_ in fields:
            field_.pk = None
            field_._state.adding = True
            field_.step = step
            field_._loaded_revision_id = None
            field_.save()
    return draft


@transaction.atomic
def procedure_close(*, procedure: Procedure) -> Procedure:
    """Take the procedure out of the catalogue: no new quest; open quests go on."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if locked.status != ProcedureStatus.CLOSED:
        locked.status = ProcedureStatus.CLOSED
        locked.save(update_fields=["status", "updated_at"])
    procedure.status = locked.status
    return locked


@transaction.atomic
def procedure_life_events_set(*, procedure: Procedure, codes: Iterable[LifeEventCode | str]) -> list[str]:
    """Make the procedure belong to exactly these life events."""
    wanted = {LifeEventCode(code).value for code in codes}
    ProcedureLifeEvent.objects.filter(procedure=procedure).exclude(code__in=wanted).delete()
    present = set(ProcedureLifeEvent.objects.filter(procedure=procedure).values_list("code", flat=True))
    ProcedureLifeEvent.objects.bulk_create(
        [ProcedureLifeEvent(procedure=procedure, code=code) for code in sorted(wanted - present)]
    )
    return sorted(wanted)
