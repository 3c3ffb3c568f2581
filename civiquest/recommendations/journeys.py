"""Seeded synthetic citizen journeys for the offline evaluation of the recommendations (no database).

The catalogue comes from its definitions, the rules from ``data/rules.yaml``, the tax calendar
from its data file; eligibility, windows and titles' expiry are the product's own functions
(``engine.eligible``, ``engine.window``, ``documents.expiry.computed_expiry``).

One generator per citizen (``journey``), from 2023-01-01 to 2026-11-30: a birth date (its 16th
and 18th birthdays are events), titles in the wallet (identity card, passport, driving licence),
0 to 3 life events drawn from the rules' triggers and the citizen's age (a fifth never
declared, the others declared before the first rule is due or a few days after), and for a
quarter of the adults the tax campaigns. Each event's eligible rules lead to a completion inside
the rule's window with the citizen's diligence (55 to 95 %), after the deadline for 15 % of
them; a title issued renews the wallet (a lost card made again cancels the old one's expiry).
Then ``HABITS``: procedures the rules do not propose for that event, done by many of those who
did another (a criminal-record extract after registering with France Travail…), what
collaborative filtering can learn and the rules cannot; one procedure out of the blue for a
third of the citizens; a quarter drop out on a random day. One completion a day at most.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from civiquest.catalogue.definitions import CATALOGUE
from civiquest.catalogue.definitions.base import ProcedureDefinition
from civiquest.documents.expiry import computed_expiry
from civiquest.integrations.taxes import calendar
from civiquest.recommendations import engine
from civiquest.recommendations.engine import Event, ProcedureRef, RuleSpec, Situation
from civiquest.recommendations.offsets import add_months
from civiquest.recommendations.rules import read_file

# The habits and titles of the synthetic journeys: data, like the rules (procedures named by slug).
JOURNEYS_FILE = Path(__file__).resolve().parent / "data" / "journeys.yaml"

START = dt.date(2023, 1, 1)
END = dt.date(2026, 11, 30)
HORIZON = END + dt.timedelta(days=366)  # events later than this set off nothing inside the period
Origin = Literal["rule", "habit", "noise"]
ORIGINS: tuple[Origin, ...] = ("rule", "habit", "noise")

# (trigger, weight, youngest, oldest): the declared life events, by the age on the event's day.
LIFE_EVENTS = (
    ("demenagement", 0.24, 18, 90),
    ("voyage", 0.18, 0, 90),
    ("perte_papiers", 0.10, 10, 90),
    ("emploi", 0.12, 18, 62),
    ("union", 0.08, 20, 65),
    ("naissance", 0.07, 20, 45),
    ("etudes", 0.07, 17, 25),
    ("entreprise", 0.06, 20, 62),
    ("retraite", 0.04, 58, 70),
    ("deces", 0.04, 25, 90),
)
EVENT_COUNTS = ((0, 1, 2, 3), (0.2, 0.4, 0.25, 0.15))
# (youngest, oldest, weight): the citizens' ages on the first day.
AGES = ((12, 17, 0.12), (18, 25, 0.18), (26, 57, 0.5), (58, 85, 0.2))
TITLE_RATES = {"identity_card": 0.85, "passport": 0.45, "driving_licence": 0.6}
TITLE_YEARS = {"identity_card": 15, "passport": 10, "driving_licence": 15}
# The catalogue issues no driving licence (ANTS does): the journeys renew it in the wallet.
EXTRA_ISSUES: dict[str, str] = yaml.safe_load(JOURNEYS_FILE.read_text(encoding="utf-8"))["extra_issues"]
DILIGENCE = (0.55, 0.95)
LATE_RATE = 0.15
LATE_DAYS = 60
DECLARE_RATE = 0.8
DROP_OUT_RATE = 0.25
TAX_USERS, TAX_YEARLY = 0.25, 0.85
NOISE_RATE = 0.35
SAME_PROCEDURE_DAYS = 30


@dataclass(frozen=True)
class Habit:
    """Of those who did ``after``, ``rate`` also do ``then``, ``days`` from it (negative: before)."""

    after: str
    then: str
    rate: float
    days: tuple[int, int]


def _habits() -> tuple[Habit, ...]:
    entries = yaml.safe_load(JOURNEYS_FILE.read_text(encoding="utf-8"))["habits"]
    return tuple(
        Habit(entry["after"], entry["then"], float(entry["rate"]), (int(entry["days"][0]), int(entry["days"][1])))
        for entry in entries
    )


HABITS = _habits()


@dataclass(frozen=True)
class Catalogue:
    procedures: Mapping[int, ProcedureRef]
    ids: Mapping[str, int]
    rules: tuple[RuleSpec, ...]
    issues: Mapping[int, str]  # procedure → the title it issues

    def rules_of(self, trigger: str) -> list[RuleSpec]:
        return [rule for rule in self.rules if rule.trigger == trigger]


def catalogue_of(
    definitions: Sequence[ProcedureDefinition] = CATALOGUE, entries: Sequence[Mapping[str, Any]] | None = None
) -> Catalogue:
    """The catalogue's procedures (ids in slug order) and the file's active rules."""
    slugs = sorted(definition.slug for definition in definitions)
    ids = {slug: index + 1 for index, slug in enumerate(slugs)}
    titles = {definition.slug: definition.title for definition in definitions}
    rules = tuple(
        RuleSpec(
            code=entry["code"],
            trigger=entry["trigger"],
            procedure_id=ids[entry["procedure"]],
            procedure_slug=entry["procedure"],
            procedure_title=titles[entry["procedure"]],
            due_from=entry["due_from"],
            deadline=entry["deadline"],
            until=entry["until"],
            relevance=entry["relevance"],
            eligibility=entry["eligibility"],
            only_by_rule=entry["only_by_rule"],
        )
        for entry in (read_file() if entries is None else entries)
        if entry["active"] and entry["procedure"] in ids
    )
    issues = {definition.slug: definition.issued_title for definition in definitions if definition.issued_title}
    issues |= {slug: title for slug, title in EXTRA_ISSUES.items() if slug in ids}
    return Catalogue(
        procedures={ids[slug]: ProcedureRef(slug=slug, title=titles[slug]) for slug in slugs},
        ids=ids,
        rules=rules,
        issues={ids[slug]: title for slug, title in issues.items()},
    )


# --- Journeys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    procedure_id: int
    on: dt.date
    origin: Origin = "rule"


@dataclass(frozen=True)
class Declared:
    event: Event
    declared_on: dt.date


@dataclass(frozen=True)
class Title:
    kind: str
    issued_on: dt.date
    expires_on: dt.date


@dataclass(frozen=True)
class Journey:
    citizen: int
    birthdate: dt.date
    zone: int
    events: tuple[Declared, ...]
    titles: tuple[Title, ...]
    completions: tuple[Completion, ...]  # in time order, one a day


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _birthdate(rng: random.Random) -> dt.date:
    youngest, oldest, _weight = rng.choices(AGES, weights=[age[2] for age in AGES])[0]
    born = START.replace(year=START.year - rng.randint(youngest, oldest))
    return born - dt.timedelta(days=rng.randint(0, 364))


def titles_on(titles: Iterable[Title], day: dt.date) -> dict[str, dt.date]:
    """Each title's latest expiry among those issued on or before ``day`` (the situation's ``titles``)."""
    latest: dict[str, dt.date] = {}
    for title in titles:
        if title.issued_on <= day and title.expires_on > latest.get(title.kind, dt.date.min):
            latest[title.kind] = title.expires_on
    return latest


def _issued(kind: str, day: dt.date, birthdate: dt.date) -> Title | None:
    expires = computed_expiry(document_type=kind, issued_on=day, birthdate=birthdate)
    return Title(kind, day, expires) if expires is not None else None


def _initial_titles(rng: random.Random, birthdate: dt.date) -> list[Title]:
    found: list[Title] = []
    for kind, rate in TITLE_RATES.items():
        holder_from = add_months(birthdate, 12 * 18) if kind == "driving_licence" else birthdate
        first = max(holder_from, START.replace(year=START.year - TITLE_YEARS[kind]))
        if first < START and rng.random() < rate:
            title = _issued(kind, _day_between(rng, first, START - dt.timedelta(days=1)), birthdate)
            found += [title] if title is not None else []
    return found


def _life_events(rng: random.Random, birthdate: dt.date) -> list[Event]:
    found: list[Event] = []
    for _ in range(rng.choices(*EVENT_COUNTS)[0]):
        day = _day_between(rng, START - dt.timedelta(days=90), END + dt.timedelta(days=180))
        age = engine.age_on(birthdate, day) or 0
        options = [entry for entry in LIFE_EVENTS if entry[2] <= age <= entry[3]]
        if options:
            trigger = rng.choices(options, weights=[entry[1] for entry in options])[0][0]
            found.append(Event(trigger=trigger, on=day, event_id=len(found) + 1))
    return found


def _declared_on(rng: random.Random, event: Event, catalogue: Catalogue) -> dt.date:
    """Planned events are declared before their first rule is due; the others a few days after."""
    starts = [engine.window(rule, event)[0] for rule in catalogue.rules_of(event.trigger)]
    earliest = min([*starts, event.on])
    if earliest < event.on:
        return earliest - dt.timedelta(days=rng.randint(0, 30))
    return event.on + dt.timedelta(days=rng.randint(0, 7))


def _tax_events(rng: random.Random, birthdate: dt.date, zone: int) -> list[Event]:
    if rng.random() >= TAX_USERS:
        return []
    return [
        Event(trigger=engine.TAX_TRIGGER, on=campaign.opening, deadline=campaign.online_deadline(zone))
        for campaign in calendar.campaigns().values()
        if (engine.age_on(birthdate, campaign.opening) or 0) >= 18 and rng.random() < TAX_YEARLY
    ]


class _Life:
    """One citizen's journey being written: events in date order, the rules they set off, then habits."""

    def __init__(self, rng: random.Random, catalogue: Catalogue, birthdate: dt.date) -> None:
        self.rng, self.catalogue, self.birthdate = rng, catalogue, birthdate
        self.diligence = rng.uniform(*DILIGENCE)
        self.titles: list[Title] = []
        self.done: list[Completion] = []

    def _did(self, procedure_id: int, first: dt.date, last: dt.date) -> bool:
        return any(c.procedure_id == procedure_id and first <= c.on <= last for c in self.done)

    def _add(self, procedure_id: int, day: dt.date, origin: Origin) -> None:
        self.done.append(Completion(procedure_id, day, origin))
        kind = self.catalogue.issues.get(procedure_id)
        title = _issued(kind, day, self.birthdate) if kind else None
        self.titles += [title] if title is not None else []

    def _superseded(self, event: Event) -> bool:
        """An expiry whose title was replaced in the meantime (a lost card made again)."""
        kind = event.trigger.removeprefix(engine.EXPIRY_PREFIX)
        return titles_on(self.titles, event.on).get(kind, event.on) != event.on

    def follow(self, event: Event) -> None:
        if event.trigger.startswith(engine.EXPIRY_PREFIX) and self._superseded(event):
            return
        for rule in self.catalogue.rules_of(event.trigger):
            start, deadline, end = engine.window(rule, event)
            situation = Situation(today=start, birthdate=self.birthdate, titles=titles_on(self.titles, event.on))
            if not engine.eligible(rule, event, situation) or self.rng.random() >= self.diligence:
                continue
            last = deadline or end
            if deadline is not None and self.rng.random() < LATE_RATE:
                day = deadline + dt.timedelta(days=self.rng.randint(1, LATE_DAYS))
            else:
                day = _day_between(self.rng, start, last)
            if not self._did(rule.procedure_id, start, max(day, last)):
                self._add(rule.procedure_id, day, "rule")

    def expiries(self, after: dt.date) -> list[Event]:
        latest = titles_on(self.titles, END)
        return [
            Event(trigger=f"{engine.EXPIRY_PREFIX}{kind}", on=day)
            for kind, day in latest.items()
            if after < day <= HORIZON
        ]

    def habits(self) -> None:
        ids = self.catalogue.ids
        for completion in list(self.done):
            for habit in HABITS:
                if ids.get(habit.after) != completion.procedure_id or self.rng.random() >= habit.rate:
                    continue
                day = completion.on + dt.timedelta(days=self.rng.randint(*habit.days))
                if habit.then in ids and not self._did(ids[habit.then], day - dt.timedelta(days=365), day):
                    self._add(ids[habit.then], day, "habit")

    def noise(self) -> None:
        if self.rng.random() < NOISE_RATE:
            never_alone = {rule.procedure_id for rule in self.catalogue.rules if rule.only_by_rule}
            choices = sorted(set(self.catalogue.procedures) - never_alone)
            self._add(self.rng.choice(choices), _day_between(self.rng, START, END), "noise")


def _one_a_day(completions: Iterable[Completion], stop: dt.date) -> tuple[Completion, ...]:
    """In time order inside the period (before ``stop``), one a day (a clash moves on a day), no repeat in 30 days."""
    kept: list[Completion] = []
    for completion in sorted(completions, key=lambda c: (c.on, c.procedure_id)):
        day = completion.on
        if kept and day <= kept[-1].on:
            day = kept[-1].on + dt.timedelta(days=1)
        recent = any(
            c.procedure_id == completion.procedure_id and (day - c.on).days < SAME_PROCEDURE_DAYS for c in kept
        )
        if START <= day <= END and day < stop and not recent:
            kept.append(Completion(completion.procedure_id, day, completion.origin))
    return tuple(kept)


def journey(citizen: int, *, seed: int, catalogue: Catalogue) -> Journey:
    """One citizen's seeded journey (the same for the same citizen number and seed, whatever the population)."""
    rng = random.Random(seed * 1_000_003 + citizen)  # noqa: S311 - a seeded simulation, no secret
    birthdate = _birthdate(rng)
    zone = rng.choice(calendar.ZONES)
    life = _Life(rng, catalogue, birthdate)
    initial = _initial_titles(rng, birthdate)
    life.titles = list(initial)
    declared_events = _life_events(rng, birthdate)
    declared = tuple(
        Declared(event, _declared_on(rng, event, catalogue))
        for event in declared_events
        if rng.random() < DECLARE_RATE
    )
    derived = engine.derived_events(Situation(today=START, birthdate=birthdate))
    pending = sorted([*declared_events, *derived, *_tax_events(rng, birthdate, zone)], key=lambda event: event.on)
    pending += life.expiries(dt.date.min)
    seen: set[Event] = set()
    while pending:
        pending.sort(key=lambda event: event.on)
        event = pending.pop(0)
        if event not in seen:
            seen.add(event)
            life.follow(event)
            pending += [found for found in life.expiries(event.on) if found not in seen and found not in pending]
    life.habits()
    life.noise()
    stop = _day_between(rng, START, END) if rng.random() < DROP_OUT_RATE else dt.date.max
    completions = _one_a_day(life.done, stop)
    issued = [
        title
        for c in completions
        if c.procedure_id in catalogue.issues
        for title in [_issued(catalogue.issues[c.procedure_id], c.on, birthdate)]
        if title is not None
    ]
    return Journey(citizen, birthdate, zone, declared, (*initial, *issued), completions)


def journeys(count: int, *, seed: int, catalogue: Catalogue) -> list[Journey]:
    return [journey(citizen, seed=seed, catalogue=catalogue) for citizen in range(1, count + 1)]
