"""Reads on procedures and quests, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, ForeignKey, IntegerField, Prefetch, QuerySet, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import User
from civiquest.catalogue.cache import catalogue_version
from civiquest.catalogue.models import Procedure, ProcedureStatus
from civiquest.catalogue.services import revision_content
from civiquest.core.citizen_cache import cached_citizen_read
from civiquest.core.text import search_key
from civiquest.documents.models import Document
from civiquest.quests import workflow
from civiquest.quests.models import Answer, Quest, QuestState, QuestTransition, StepProgress


def published_procedures(*, search: str = "", theme: str = "", life_event: str = "") -> QuerySet[Procedure]:
    """The catalogue: published procedures by title, filtered by words (accents ignored), theme, life event."""
    procedures = Procedure.objects.filter(status=ProcedureStatus.PUBLISHED)
    for word in search_key(search).split()[:10]:
        procedures = procedures.filter(search_text__contains=word)
    if theme:
        procedures = procedures.filter(theme=theme)
    if life_event:
        procedures = procedures.filter(life_events__code=life_event)
    return procedures.select_related("instructing_service").prefetch_related("life_events").order_by("title")


def published_procedure(*, slug: str) -> Procedure | None:
    """A procedure of the catalogue by slug, or None (not found, draft or closed)."""
    return (
        Procedure.objects.filter(slug=slug, status=ProcedureStatus.PUBLISHED)
        .select_related("instructing_service")
        .prefetch_related("life_events")
        .first()
    )


# "Mes démarches": what waits for the citizen first, then what waits for the service, then the rest.
QUEST_GROUPS: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("to_do", _("À compléter"), (QuestState.CHANGES_REQUESTED, QuestState.DRAFT)),
    ("in_progress", _("En cours de traitement"), (QuestState.SUBMITTED, QuestState.IN_REVIEW)),
    ("done", _("Terminées"), (QuestState.ACCEPTED, QuestState.REJECTED, QuestState.CLOSED, QuestState.COMPLETED)),
)
STATE_ORDER = [state for _key, _label, states in QUEST_GROUPS for state in states]


@dataclass
class QuestGroup:
    key: str
    label: Any
    quests: list[Quest] = field(default_factory=list)


def quests_of(*, citizen: User) -> list[QuestGroup]:
    """The citizen's quests in groups (to do, in progress, done), in one query.

    Within a group, quests are ordered by state (changes asked before drafts…), then the
    latest updated first. Each quest carries its procedure, revision and current step; where
    it is in its steps is ``journey.with_journeys``'s (the one count every page shows).
    """
    state_rank = Case(
        *[When(state=state, then=Value(rank)) for rank, state in enumerate(STATE_ORDER)],
        default=Value(len(STATE_ORDER)),
        output_field=IntegerField(),
    )
    quests = (
        Quest.objects.filter(citizen=citizen)
        .select_related("procedure", "revision", "current_step")
        .annotate(
            state_rank=state_rank,
            # The title the quest's revision issues (passport…): the dashboard's expiry notice knows it is renewed.
            issued_title=F("revision__issued_title"),
        )
        .order_by("state_rank", "-updated_at", "-pk")
    )
    groups = {key: QuestGroup(key=key, label=label) for key, label, _states in QUEST_GROUPS}
    group_of = {state: key for key, _label, states in QUEST_GROUPS for state in states}
    for quest in quests:
        groups[group_of[quest.state]].quests.append(quest)
    return list(groups.values())


def quest_detail(*, quest_id: Any, citizen: User) -> Quest | None:
    """The citizen's own quest with everything its page shows; None for anybody else's (a 404).

    Loads, in a fixed number of queries: procedure and service, revision, answers, step progress
    and the history with its actors; read from the cache while the citizen's data and the
    catalogue are unchanged (``core.citizen_cache``: every save of a step draws a new generation).
    The revision's steps and fields come from the cache once read (a published revision never
    changes: ``revision_content``), so that ``validation.visibility(quest.revision, …)`` then
    costs nothing.
    """
    try:
        pk = int(quest_id)
    except (TypeError, ValueError):
        return None
    quest = cached_citizen_read(
        "quest",
        citizen.pk,
        lambda: _quest_detail_of(pk, citizen),
        variant=f"{pk}:{catalogue_version()}",
    )
    if quest is not None:
        revision_content(quest.revision)
    return quest


def _quest_detail_of(pk: int, citizen: User) -> Quest | None:
    quest = (
        Quest.objects.filter(pk=pk, citizen=citizen)
        .select_related("procedure__instructing_service", "revision", "current_step")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.order_by("field_name")),
            Prefetch("progress", queryset=StepProgress.objects.order_by("step__position")),
            Prefetch("transitions", queryset=QuestTransition.objects.select_related("actor").order_by("at", "pk")),
        )
        .first()
    )
    if quest is not None:
        quest.revision.procedure = quest.procedure  # the same row, already read
    return quest


def quest_answers(quest: Quest) -> dict[str, Any]:
    """The quest's answers by input name (uses ``quest.answers`` as prefetched by ``quest_detail``)."""
    return {answer.field_name: answer.value for answer in quest.answers.all()}


def quest_done_step_ids(quest: Quest) -> set[int]:
    """Steps done (uses ``quest.progress`` as prefetched by ``quest_detail``)."""
    return {progress.step_id for progress in quest.progress.all() if progress.done_at is not None}


def open_quest_of(*, citizen: User, procedure: Procedure) -> Quest | None:
    """The citizen's latest quest on this procedure that is not decided yet, to resume it."""
    return (
        Quest.objects.filter(citizen=citizen, procedure=procedure)
        .exclude(state__in=workflow.FINAL_STATES)
        .select_related("current_step")
        .order_by("-updated_at", "-pk")
        .first()
    )


def quest_documents_by_id(*, quest: Quest) -> dict[int, Document]:
    """The wallet documents attached to the quest, by id (one query)."""
    return {document.pk: document for document in Document.objects.filter(attachments__quest=quest).distinct()}


def transition_quest(transition: QuestTransition, *related: str) -> Quest:
    """The transition's quest with ``related`` loaded, for what follows the transition.

    When the writes just made the transition, its ``quest`` is the instance they locked, loaded
    with its procedure, revision and citizen: it is used as is, with no query. Otherwise (a
    transition read back) the quest is read once, with ``related``.
    """
    if QuestTransition.quest.is_cached(transition):
        quest = transition.quest
        if all(_loaded(quest, name) for name in related):
            return quest
    return Quest.objects.select_related(*related).get(pk=transition.quest_id)


def _loaded(quest: Quest, name: str) -> bool:
    relation = Quest._meta.get_field(name)
    return isinstance(relation, ForeignKey) and relation.is_cached(quest)
