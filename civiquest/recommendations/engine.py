"""The ranking of what a citizen should do next: pure functions over a ``Situation`` (no database).

Candidates come from the rules (a declared or derived event, the window it opens), from the
pairs of procedures done by the same citizens (collaborative filtering) and from popularity.
Order: a deadline first, the nearest first; then rule relevance; then similarity; then
popularity. Excluded: what is done (since the window opened), in progress (returned apart, "à
reprendre"), dismissed, snoozed, ineligible. ``selectors.situation_of`` builds the situation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civiquest.documents.models import DocumentType
from civiquest.recommendations.offsets import add_months, shifted

Kind = Literal["rule", "expiry", "similar", "popular"]
TOP = 5
AGE_TRIGGERS = {"age-16": 16, "age-18": 18}
EXPIRY_PREFIX = "expiry-"
TAX_TRIGGER = "tax-calendar"


@dataclass(frozen=True)
class RuleSpec:
    code: str
    trigger: str
    procedure_id: int
    procedure_slug: str
    procedure_title: str
    due_from: Mapping[str, Any] = field(default_factory=dict)
    deadline: Mapping[str, Any] = field(default_factory=dict)
    until: Mapping[str, Any] = field(default_factory=dict)
    relevance: float = 1.0
    eligibility: Mapping[str, Any] = field(default_factory=dict)
    only_by_rule: bool = False
    note: str = ""
    source_label: str = ""
    source_url: str = ""


@dataclass(frozen=True)
class Event:
    """A declared (``event_id`` set) or derived event; the tax calendar brings its own deadline."""

    trigger: str
    on: dt.date
    event_id: int | None = None
    deadline: dt.date | None = None


@dataclass(frozen=True)
class ProcedureRef:
    slug: str
    title: str


@dataclass(frozen=True)
class FeedbackState:
    kind: str  # FeedbackKind's values
    given_on: dt.date
    until: dt.date | None = None


@dataclass(frozen=True)
class Situation:
    today: dt.date
    birthdate: dt.date | None = None
    events: tuple[Event, ...] = ()
    # type → the latest known expiry of that title (wallet and issued quests)
    titles: Mapping[str, dt.date] = field(default_factory=dict)
    # procedure id → the last day one of the citizen's quests of it ended well
    completed: Mapping[int, dt.date] = field(default_factory=dict)
    # procedure id → (quest id, the day it was started)
    in_progress: Mapping[int, tuple[int, dt.date]] = field(default_factory=dict)
    # procedure ids whose quest in progress is deposited (with the service): nothing to resume
    submitted: frozenset[int] = frozenset()
    feedback: Mapping[int, FeedbackState] = field(default_factory=dict)
    use_similar: bool = True
    # procedure id → {other procedure id: score}, pairs shared by enough citizens
    similar: Mapping[int, Mapping[int, float]] = field(default_factory=dict)
    popularity: Mapping[int, int] = field(default_factory=dict)
    procedures: Mapping[int, ProcedureRef] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    procedure_id: int
    procedure_slug: str
    procedure_title: str
    kind: Kind
    deadline: dt.date | None
    as_of: dt.date
    # CF and popularity say why themselves; a rule's reason is written from its event when read.
    fixed_reason: str = ""
    due_from: dt.date | None = None
    source_label: str = ""
    source_url: str = ""
    rule_code: str = ""
    note: str = ""
    event: Event | None = None
    quest_id: int | None = None  # in progress: the quest to resume
    submitted: bool = False  # in progress and deposited: the service's turn, nothing to resume
    relevance: float = 0.0
    similarity: float = 0.0
    popularity: int = 0

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.deadline is None,
            self.deadline or dt.date.max,
            -self.relevance,
            -self.similarity,
            -self.popularity,
            self.procedure_slug,
        )

    def is_late(self, today: dt.date) -> bool:
        return self.deadline is not None and self.deadline < today

    @property
    def reason(self) -> str:
        """ "Parce que vous avez déclaré un déménagement le 3 mars 2026 : avant le 3 avril 2026"."""
        if self.event is None:
            return self.fixed_reason
        return reason_of(self.event, self.deadline, self.as_of)


@dataclass(frozen=True)
class Ranked:
    """What to do (best first, at most ``limit``) and what is already started ("à reprendre")."""

    items: tuple[Recommendation, ...]
    resume: tuple[Recommendation, ...]


def derived_events(situation: Situation, tax_events: Sequence[Event] = ()) -> list[Event]:
    """Events the citizen's data implies: birthdays at 16 and 18, titles' expiry, the tax calendar."""
    events = []
    if situation.birthdate is not None:
        for trigger, years in AGE_TRIGGERS.items():
            events.append(Event(trigger=trigger, on=add_months(situation.birthdate, 12 * years)))
    for title, expires_on in situation.titles.items():
        events.append(Event(trigger=f"{EXPIRY_PREFIX}{title}", on=expires_on))
    events.extend(tax_events)
    return events


def age_on(birthdate: dt.date | None, day: dt.date) -> int | None:
    if birthdate is None:
        return None
    return day.year - birthdate.year - ((day.month, day.day) < (birthdate.month, birthdate.day))


def eligible(rule: RuleSpec, event: Event, situation: Situation) -> bool:
    """The rule's conditions; an unknown age passes (the rules never guess one)."""
    conditions = rule.eligibility
    age = age_on(situation.birthdate, situation.today)
    if age is not None and "min_age" in conditions and age < int(conditions["min_age"]):
        return False
    if age is not None and "max_age" in conditions and age > int(conditions["max_age"]):
        return False
    held = conditions.get("holds_title")
    if held and held not in situation.titles:
        return False
    lacking = conditions.get("lacks_valid_title")
    return not (lacking and situation.titles.get(lacking, dt.date.min) > event.on)


def window(rule: RuleSpec, event: Event) -> tuple[dt.date, dt.date | None, dt.date]:
    """(due from, deadline or None, last day shown) of a rule for an event."""
    start = shifted(event.on, rule.due_from)
    if rule.deadline.get("calendar"):
        deadline = event.deadline
    else:
        deadline = shifted(event.on, rule.deadline) if rule.deadline else None
    end = shifted(event.on, rule.until) if rule.until else deadline
    return start, deadline, end or start


def _is_done(procedure_id: int, since: dt.date, situation: Situation) -> bool:
    completed = situation.completed.get(procedure_id)
    if completed is not None and completed >= since:
        return True
    answer = situation.feedback.get(procedure_id)
    return answer is not None and answer.kind == "done_elsewhere" and answer.given_on >= since


def _is_set_aside(procedure_id: int, situation: Situation) -> bool:
    answer = situation.feedback.get(procedure_id)
    if answer is None:
        return False
    if answer.kind == "dismissed":
        return True
    return answer.kind == "snoozed" and answer.until is not None and answer.until >= situation.today


def reason_of(event: Event, deadline: dt.date | None, today: dt.date) -> str:
    """ "Parce que vous avez déclaré un déménagement le 3 mars 2026 : avant le 3 avril 2026"."""
    day = date_format(event.on, "j F Y")
    if event.trigger in AGE_TRIGGERS:
        years = AGE_TRIGGERS[event.trigger]
        because = (
            _("Parce que vous avez eu %(years)s ans le %(date)s")
            if event.on <= today
            else _("Parce que vous aurez %(years)s ans le %(date)s")
        ) % {"years": years, "date": day}
    elif event.trigger.startswith(EXPIRY_PREFIX):
        title = title_label(event.trigger.removeprefix(EXPIRY_PREFIX))
        because = (
            _("Parce que votre %(title)s a expiré le %(date)s")
            if event.on < today
            else _("Parce que votre %(title)s expire le %(date)s")
        ) % {"title": title, "date": day}
    elif event.trigger == TAX_TRIGGER:
        because = _("Parce que la déclaration de revenus est ouverte depuis le %(date)s") % {"date": day}
    else:
        noun = event_noun(event.trigger)
        because = (
            _("Parce que vous avez déclaré %(event)s le %(date)s")
            if event.on <= today
            else _("Parce que vous avez prévu %(event)s le %(date)s")
        ) % {"event": noun, "date": day}
    if deadline is None:
        return because
    if deadline < today:
        return _("%(because)s : la date limite était le %(deadline)s") % {
            "because": because,
            "deadline": date_format(deadline, "j F Y"),
        }
    return _("%(because)s : avant le %(deadline)s") % {"because": because, "deadline": date_format(deadline, "j F Y")}


EVENT_NOUNS = {
    "demenagement": gettext_lazy("un déménagement"),
    "naissance": gettext_lazy("une naissance"),
    "union": gettext_lazy("un mariage ou un Pacs"),
    "deces": gettext_lazy("le décès d’un proche"),
    "majorite": gettext_lazy("vos 16 ou 18 ans"),
    "voyage": gettext_lazy("un voyage à l’étranger"),
    "perte_papiers": gettext_lazy("la perte ou le vol de vos papiers"),
    "vehicule": gettext_lazy("un véhicule ou le permis de conduire"),
    "emploi": gettext_lazy("une recherche d’emploi"),
    "retraite": gettext_lazy("votre départ à la retraite"),
    "entreprise": gettext_lazy("la création de votre entreprise"),
    "etudes": gettext_lazy("la rentrée de vos études"),
}


def event_noun(code: str) -> str:
    return str(EVENT_NOUNS.get(code, code))


def title_label(title: str) -> str:
    """The wallet's name of the title, as within a sentence ("votre passeport")."""
    label = str(DocumentType(title).label) if title in DocumentType.values else title
    return label[:1].lower() + label[1:]


def _from_rules(situation: Situation, rules: Sequence[RuleSpec], events: Sequence[Event]) -> list[Recommendation]:
    by_trigger: dict[str, list[RuleSpec]] = {}
    for rule in rules:
        by_trigger.setdefault(rule.trigger, []).append(rule)
    found = []
    for event in events:
        for rule in by_trigger.get(event.trigger, ()):
            start, deadline, end = window(rule, event)
            if not start <= situation.today <= end or not eligible(rule, event, situation):
                continue
            if _is_done(rule.procedure_id, start, situation):
                continue
            started = situation.in_progress.get(rule.procedure_id)
            found.append(
                Recommendation(
                    procedure_id=rule.procedure_id,
                    procedure_slug=rule.procedure_slug,
                    procedure_title=rule.procedure_title,
                    kind="expiry" if event.trigger.startswith(EXPIRY_PREFIX) else "rule",
                    deadline=deadline,
                    as_of=situation.today,
                    due_from=start,
                    source_label=rule.source_label,
                    source_url=rule.source_url,
                    rule_code=rule.code,
                    note=rule.note,
                    event=event,
                    quest_id=started[0] if started else None,
                    submitted=bool(started) and rule.procedure_id in situation.submitted,
                    relevance=rule.relevance,
                )
            )
    return found


def _out_of_age(rules: Sequence[RuleSpec], situation: Situation) -> set[int]:
    """Procedures whose every rule is for another age: never suggested as similar or popular either."""
    age = age_on(situation.birthdate, situation.today)
    if age is None:
        return set()
    fits: dict[int, bool] = {}
    for rule in rules:
        conditions = rule.eligibility
        ok = not ("min_age" in conditions and age < int(conditions["min_age"])) and not (
            "max_age" in conditions and age > int(conditions["max_age"])
        )
        fits[rule.procedure_id] = fits.get(rule.procedure_id, False) or ok
    return {procedure_id for procedure_id, ok in fits.items() if not ok}


def _from_others(situation: Situation, taken: set[int], never_alone: set[int]) -> list[Recommendation]:
    """Similar citizens' procedures, then popular ones: only with ``use_similar``, never the sensitive ones."""
    if not situation.use_similar:
        return []
    scores: dict[int, tuple[float, int]] = {}
    for done in situation.completed:
        for other, score in situation.similar.get(done, {}).items():
            if score > scores.get(other, (0.0, 0))[0]:
                scores[other] = (score, done)
    found = []
    for procedure_id, ref in situation.procedures.items():
        if procedure_id in taken or procedure_id in never_alone or procedure_id in situation.completed:
            continue
        if procedure_id in situation.in_progress or _is_set_aside(procedure_id, situation):
            continue
        score, because = scores.get(procedure_id, (0.0, 0))
        popularity = situation.popularity.get(procedure_id, 0)
        if score > 0 and because in situation.procedures:
            reason = _("Souvent faite par les usagers qui ont aussi fait « %(title)s »") % {
                "title": situation.procedures[because].title
            }
            kind: Kind = "similar"
        elif popularity > 0:
            reason, kind = _("Une des démarches les plus faites par les usagers"), "popular"
        else:
            continue
        found.append(
            Recommendation(
                procedure_id=procedure_id,
                procedure_slug=ref.slug,
                procedure_title=ref.title,
                kind=kind,
                fixed_reason=reason,
                deadline=None,
                as_of=situation.today,
                similarity=score,
                popularity=popularity,
            )
        )
    return found


def recommend(
    situation: Situation, rules: Sequence[RuleSpec], *, tax_events: Sequence[Event] = (), limit: int = TOP
) -> Ranked:
    """The citizen's next actions, best first, and the started ones to resume."""
    events = [*situation.events, *derived_events(situation, tax_events)]
    candidates = sorted(_from_rules(situation, rules, events), key=Recommendation.sort_key)
    best: dict[int, Recommendation] = {}
    for candidate in candidates:
        if not _is_set_aside(candidate.procedure_id, situation):
            best.setdefault(candidate.procedure_id, candidate)
    resume = tuple(item for item in best.values() if item.quest_id is not None)
    items = [item for item in best.values() if item.quest_id is None]
    never_alone = {rule.procedure_id for rule in rules if rule.only_by_rule} | _out_of_age(rules, situation)
    items.extend(_from_others(situation, set(best), never_alone))
    items.sort(key=Recommendation.sort_key)
    return Ranked(items=tuple(items[:limit]), resume=resume)
