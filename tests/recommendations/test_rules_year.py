"""Every rule of ``rules.yaml`` replayed for events on every day of a leap year (pure ranking, no database).

For each rule and each event date of 2024 (29 February and every month end included): from the
day the action becomes due until its deadline (or the last day it is proposed), it is among the
5 actions shown; before that day, and after the citizen completed it, it is not.
"""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.recommendations.engine import Event, RuleSpec, Situation, recommend, window
from civiquest.recommendations.offsets import add_months
from civiquest.recommendations.rules import read_file

ENTRIES = read_file()
SLUGS = sorted({entry["procedure"] for entry in ENTRIES})
IDS = {slug: index + 1 for index, slug in enumerate(SLUGS)}
RULES = [
    RuleSpec(
        code=entry["code"],
        trigger=entry["trigger"],
        procedure_id=IDS[entry["procedure"]],
        procedure_slug=entry["procedure"],
        procedure_title=entry["procedure"],
        due_from=entry["due_from"],
        deadline=entry["deadline"],
        until=entry["until"],
        relevance=entry["relevance"],
        eligibility=entry["eligibility"],
        only_by_rule=entry["only_by_rule"],
    )
    for entry in ENTRIES
]
YEAR = [dt.date(2024, 1, 1) + dt.timedelta(days=offset) for offset in range(366)]
ADULT = dt.date(1980, 6, 15)
TAX_DAYS = 50


def situation_for(rule: RuleSpec, event_day: dt.date) -> tuple[Situation, list[Event], dt.date]:
    """A citizen whose only event starts ``rule`` near ``event_day`` and who meets its conditions.

    Returns the event's real day: nobody turns 18 on 29 February 2024 (born 28 February 2006,
    they turn 18 on the 28th), while someone born 29 February 2008 turns 16 on 29 February 2024.
    """
    birthdate, events, titles, tax = ADULT, [], {}, []
    if "max_age" in rule.eligibility:
        birthdate = add_months(event_day, -12 * 20)  # a student
    if rule.trigger.startswith("age-"):
        years = int(rule.trigger.removeprefix("age-"))
        birthdate = add_months(event_day, -12 * years)
        event_day = add_months(birthdate, 12 * years)
    elif rule.trigger.startswith("expiry-"):
        titles[rule.trigger.removeprefix("expiry-")] = event_day
    elif rule.trigger == "tax-calendar":
        tax.append(Event(trigger=rule.trigger, on=event_day, deadline=event_day + dt.timedelta(days=TAX_DAYS)))
    else:
        events.append(Event(trigger=rule.trigger, on=event_day, event_id=1))
    if rule.eligibility.get("holds_title"):
        titles.setdefault(rule.eligibility["holds_title"], event_day + dt.timedelta(days=3650))
    situation = Situation(today=event_day, birthdate=birthdate, events=tuple(events), titles=titles)
    return situation, tax, event_day


def shown(situation: Situation, tax: list[Event], today: dt.date, procedure_id: int) -> bool:
    ranked = recommend(Situation(**{**situation.__dict__, "today": today}), RULES, tax_events=tax)
    return procedure_id in {item.procedure_id for item in ranked.items}


def test_every_trigger_has_at_most_four_rules_so_that_a_due_action_always_fits_in_five() -> None:
    per_trigger: dict[str, int] = {}
    for rule in RULES:
        per_trigger[rule.trigger] = per_trigger.get(rule.trigger, 0) + 1
    assert max(per_trigger.values()) <= 4


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_a_due_action_is_in_the_top_5_every_day_until_its_deadline_and_never_after_it_is_done(rule: RuleSpec) -> None:
    missed: list[str] = []
    for day_of_year in YEAR:
        situation, tax, event_day = situation_for(rule, day_of_year)
        if rule.trigger == "tax-calendar":
            start, deadline, end = (
                event_day,
                event_day + dt.timedelta(days=TAX_DAYS),
                event_day + dt.timedelta(days=TAX_DAYS),
            )
        else:
            start, deadline, end = window(rule, Event(trigger=rule.trigger, on=event_day))
        last = deadline or end
        assert start <= last, f"{rule.code}: empty window for an event on {event_day}"
        day = start
        while day <= last:
            if not shown(situation, tax, day, rule.procedure_id):
                missed.append(f"event {event_day}, day {day}")
            day += dt.timedelta(days=1)
        if shown(situation, tax, start - dt.timedelta(days=1), rule.procedure_id):
            missed.append(f"event {event_day}: shown the day before it is due")
        # Completed on its first due day: never shown again in the window.
        done = Situation(**{**situation.__dict__, "completed": {rule.procedure_id: start}})
        for later in (start, start + (last - start) / 2, last):
            if shown(done, tax, later, rule.procedure_id):
                missed.append(f"event {event_day}: shown on {later} after it was done")
    assert missed == [], f"{rule.code}: {len(missed)} misses, first {missed[:5]}"
