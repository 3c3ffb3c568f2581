"""What the recommendations read: a citizen's situation in a fixed number of queries, and the ranking.

Shared data (the procedures that can be suggested, the similar pairs, popularity) changes once
a night: it is read from the shared cache (``GLOBAL_CACHE_KEY``, cleared by the rebuild).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.core.cache import cache

from civiquest.accounts.models import User
from civiquest.catalogue.cache import catalogue_version
from civiquest.catalogue.models import LifeEventCode, Procedure, ProcedureLifeEvent, ProcedureStatus
from civiquest.core.citizen_cache import cached_citizen_read
from civiquest.core.dates import PARIS
from civiquest.documents.expiry import expiry_of
from civiquest.documents.models import Document
from civiquest.integrations.taxes.selectors import citizen_tax_deadline
from civiquest.quests.models import Quest, QuestState
from civiquest.recommendations import engine
from civiquest.recommendations.engine import Event, FeedbackState, ProcedureRef, Ranked, Situation
from civiquest.recommendations.models import (
    Feedback,
    LifeEvent,
    Preferences,
    ProcedurePair,
    ProcedurePopularity,
)
from civiquest.recommendations.rules import TITLES, active_rules, new_recommendations_version, recommendations_version

DONE_STATES = (QuestState.ACCEPTED, QuestState.COMPLETED)
OPEN_STATES = (QuestState.DRAFT, QuestState.SUBMITTED, QuestState.IN_REVIEW, QuestState.CHANGES_REQUESTED)
DEPOSITED_STATES = (QuestState.SUBMITTED, QuestState.IN_REVIEW)
GLOBAL_CACHE_KEY = "recommendations:shared:v1"
GLOBAL_CACHE_SECONDS = 60 * 60


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(PARIS).date() if moment is not None else None


def shared_data() -> dict[str, Any]:
    """The suggestable procedures, the pairs and the popularity: the same for every citizen."""
    found = cache.get(GLOBAL_CACHE_KEY)
    if found is not None:
        return found
    procedures = {
        pk: ProcedureRef(slug=slug, title=title)
        for pk, slug, title in Procedure.objects.filter(status=ProcedureStatus.PUBLISHED).values_list(
            "pk", "slug", "title"
        )
    }
    similar: dict[int, dict[int, float]] = {}
    for procedure_id, other_id, score in ProcedurePair.objects.values_list("procedure_id", "other_id", "score"):
        similar.setdefault(procedure_id, {})[other_id] = score
    popularity = dict(ProcedurePopularity.objects.values_list("procedure_id", "citizens"))
    found = {"procedures": procedures, "similar": similar, "popularity": popularity}
    cache.set(GLOBAL_CACHE_KEY, found, GLOBAL_CACHE_SECONDS)
    return found


def shared_data_forget() -> None:
    cache.delete(GLOBAL_CACHE_KEY)
    new_recommendations_version()


def _titles(citizen: User, quests: Sequence[Mapping[str, Any]]) -> dict[str, dt.date]:
    """Each title's latest known expiry: wallet documents and titles issued by an accepted quest."""
    latest: dict[str, dt.date] = {}
    documents = Document.objects.filter(owner=citizen, type__in=TITLES).only(
        "type", "issued_on", "expires_on", "owner_id"
    )
    for document in documents:
        expires = expiry_of(document, birthdate=citizen.birthdate)
        if expires is not None and expires > latest.get(document.type, dt.date.min):
            latest[document.type] = expires
    for quest in quests:
        title, decided = quest["revision__issued_title"], _local_day(quest["decided_at"])
        if title and quest["state"] in DONE_STATES and decided is not None:
            document = Document(type=title, issued_on=decided)
            expires = expiry_of(document, birthdate=citizen.birthdate)
            if expires is not None and expires > latest.get(title, dt.date.min):
                latest[title] = expires
    return latest


def situation_of(citizen: User, *, today: dt.date) -> Situation:
    """Everything the ranking needs about one citizen (6 queries, plus the shared cache and taxes)."""
    quests = list(
        Quest.objects.filter(citizen=citizen).values(
            "pk", "procedure_id", "state", "created_at", "decided_at", "updated_at", "revision__issued_title"
        )
    )
    completed: dict[int, dt.date] = {}
    in_progress: dict[int, tuple[int, dt.date]] = {}
    deposited: dict[int, bool] = {}  # for the quest kept in ``in_progress``
    for quest in quests:
        if quest["state"] in DONE_STATES:
            day = _local_day(quest["decided_at"] or quest["updated_at"]) or today
            completed[quest["procedure_id"]] = max(day, completed.get(quest["procedure_id"], dt.date.min))
        elif quest["state"] in OPEN_STATES:
            in_progress[quest["procedure_id"]] = (quest["pk"], _local_day(quest["created_at"]) or today)
            deposited[quest["procedure_id"]] = quest["state"] in DEPOSITED_STATES
    feedback = {
        row.procedure_id: FeedbackState(kind=row.kind, given_on=row.given_on, until=row.until)
        for row in Feedback.objects.filter(citizen=citizen)
    }
    events = tuple(
        Event(trigger=code, on=day, event_id=pk)
        for pk, code, day in LifeEvent.objects.filter(citizen=citizen).values_list("pk", "code", "occurred_on")
    )
    preferences = Preferences.objects.filter(citizen=citizen).values_list("use_similar", flat=True).first()
    use_similar = True if preferences is None else bool(preferences)
    shared = shared_data() if use_similar else {"procedures": {}, "similar": {}, "popularity": {}}
    return Situation(
        today=today,
        birthdate=citizen.birthdate,
        events=events,
        titles=_titles(citizen, quests),
        completed=completed,
        in_progress=in_progress,
        submitted=frozenset(pk for pk, is_deposited in deposited.items() if is_deposited),
        feedback=feedback,
        use_similar=use_similar,
        similar={pk: shared["similar"].get(pk, {}) for pk in completed},
        popularity=shared["popularity"],
        procedures=shared["procedures"],
    )


def tax_events_of(citizen: User, *, today: dt.date) -> list[Event]:
    found = citizen_tax_deadline(citizen, today=today)
    if found is None:
        return []
    deadline, _departement = found
    return [Event(trigger=engine.TAX_TRIGGER, on=deadline.campaign.opening, deadline=deadline.due_on)]


def recommendations_for(citizen: User, *, today: dt.date, limit: int = engine.TOP) -> Ranked:
    """The citizen's next actions (at most ``limit``) and the started ones to resume."""
    return engine.recommend(
        situation_of(citizen, today=today),
        active_rules(),
        tax_events=tax_events_of(citizen, today=today),
        limit=limit,
    )


def cached_recommendations_for(citizen: User, *, today: dt.date) -> Ranked:
    """``recommendations_for``, from the cache while the citizen's data, the catalogue, the rules and
    the day are unchanged (``core.citizen_cache``): the dashboard, every sign-in's first page."""
    return cached_citizen_read(
        "recommendations",
        citizen.pk,
        lambda: recommendations_for(citizen, today=today),
        variant=f"{today.isoformat()}:{catalogue_version()}:{recommendations_version()}",
    )


def todo_by_procedure(citizen: User, *, today: dt.date) -> dict[str, engine.Recommendation]:
    """The citizen's current actions (to do and to resume) by procedure slug: the assistant marks them."""
    ranked = recommendations_for(citizen, today=today)
    return {item.procedure_slug: item for item in (*ranked.resume, *ranked.items)}


def events_to_declare(citizen: User, slugs: Iterable[str], *, today: dt.date) -> dict[str, LifeEventCode]:
    """For procedures the assistant suggests: a life event of theirs that starts rules, not declared lately.

    "Cela vous arrive ? Déclarez-le" then tells the citizen what follows and by when (2 queries).
    """
    wanted = {slug for slug in slugs if slug}
    if not wanted:
        return {}
    with_rules = {rule.trigger for rule in active_rules()}
    recent = set(
        LifeEvent.objects.filter(citizen=citizen, occurred_on__gte=today - dt.timedelta(days=365)).values_list(
            "code", flat=True
        )
    )
    found: dict[str, LifeEventCode] = {}
    rows = ProcedureLifeEvent.objects.filter(procedure__slug__in=wanted).order_by("pk")
    for slug, code in rows.values_list("procedure__slug", "code"):
        if code in with_rules and code not in recent and slug not in found:
            found[slug] = LifeEventCode(code)
    return found


def deadline_kept(citizen: User, *, procedure_id: int, today: dt.date) -> engine.Recommendation | None:
    """The rule whose deadline the citizen meets by finishing this procedure today, if any.

    Read right after the quest ended well: the procedure is looked at as if still to do. A
    procedure no rule recommends costs no query beyond the cached rules.
    """
    rules = active_rules()
    if not any(rule.procedure_id == procedure_id for rule in rules):
        return None
    situation = situation_of(citizen, today=today)
    situation = replace(
        situation,
        completed={pk: day for pk, day in situation.completed.items() if pk != procedure_id},
        in_progress={pk: quest for pk, quest in situation.in_progress.items() if pk != procedure_id},
        use_similar=False,
    )
    ranked = engine.recommend(situation, rules, tax_events=tax_events_of(citizen, today=today), limit=len(rules))
    return next(
        (
            item
            for item in ranked.items
            if item.procedure_id == procedure_id and item.deadline is not None and item.deadline >= today
        ),
        None,
    )


def life_events_of(citizen: User) -> list[LifeEvent]:
    return list(LifeEvent.objects.filter(citizen=citizen))


def set_aside_of(citizen: User) -> list[Feedback]:
    """The procedures the citizen dismissed or snoozed, to undo it."""
    return list(Feedback.objects.filter(citizen=citizen).select_related("procedure").order_by("procedure__title"))


def use_similar_of(citizen: User) -> bool:
    value = Preferences.objects.filter(citizen=citizen).values_list("use_similar", flat=True).first()
    return True if value is None else bool(value)
