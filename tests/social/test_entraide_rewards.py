"""Fair rewards for helping: XP once per answer that helped, caps per pair and per week, rings, sober mode."""

import datetime as dt

import pytest
from django.utils import timezone

from civiquest.actions import entraide as actions
from civiquest.progress.badges import badge_codes_of
from civiquest.progress.habits.services import sober_mode_set
from civiquest.progress.models import XpEntry
from civiquest.progress.rewards import ENTRAIDE_XP
from civiquest.social.entraide import services
from civiquest.social.entraide.models import HelpReward
from tests.social.conftest import published_answer, published_question, trusted

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def _help(helper, asker, procedure, *, at=None):
    """``helper`` answers a question of ``asker``, who accepts it (at ``at``); the reward row."""
    answer = published_answer(helper, published_question(asker, procedure))
    actions.answer_accept(asker=asker, answer=answer, now=at or timezone.now())
    return HelpReward.objects.get(answer=answer)


def _xp(citizen):
    return sum(XpEntry.objects.filter(citizen=citizen, reason="entraide.answer").values_list("amount", flat=True))


def test_an_accepted_answer_earns_the_helper_xp_and_the_badge_once(passport, asker, helper):
    answer = published_answer(helper, published_question(asker, passport))
    actions.answer_accept(asker=asker, answer=answer)
    actions.answer_accept(asker=asker, answer=answer)
    assert _xp(helper) == ENTRAIDE_XP
    assert XpEntry.objects.filter(citizen=helper, key=f"entraide-answer:{answer.pk}").count() == 1
    assert "entraide" in badge_codes_of(helper)
    assert HelpReward.objects.get(answer=answer).rewarded


def test_a_moderator_confirmation_rewards_once_even_after_an_acceptance(passport, asker, helper, staff):
    answer = published_answer(helper, published_question(asker, passport))
    outcome = actions.answer_confirm_helpful(answer=answer, moderator=staff, explanation="Réponse exacte et sourcée")
    assert outcome.rewarded
    actions.answer_accept(asker=asker, answer=answer)
    actions.answer_confirm_helpful(answer=answer, moderator=staff, explanation="Encore")
    assert _xp(helper) == ENTRAIDE_XP
    assert HelpReward.objects.filter(answer=answer).count() == 1


def test_helping_yourself_earns_nothing(passport, helper, staff):
    answer = published_answer(helper, published_question(helper, passport))
    outcome = actions.answer_confirm_helpful(answer=answer, moderator=staff, explanation="Confirmée")
    assert (outcome.rewarded, outcome.withheld) == (False, services.WITHHELD_SELF)
    assert _xp(helper) == 0


def test_nothing_in_sober_mode(passport, asker, helper):
    sober_mode_set(citizen=helper, enabled=True)
    reward = _help(helper, asker, passport)
    assert (reward.rewarded, reward.withheld) == (False, services.WITHHELD_SOBER)
    assert _xp(helper) == 0 and "entraide" not in badge_codes_of(helper)


def test_one_reward_per_pair_of_citizens_per_week(passport, asker, helper):
    first = _help(helper, asker, passport, at=MONDAY)
    second = _help(helper, asker, passport, at=MONDAY + dt.timedelta(days=3))
    next_week = _help(helper, asker, passport, at=MONDAY + dt.timedelta(days=7))
    assert first.rewarded and next_week.rewarded
    assert (second.rewarded, second.withheld) == (False, services.WITHHELD_PAIR_WEEK)


def test_at_most_five_rewards_per_helper_per_week(passport, helper):
    outcomes = [_help(helper, trusted(), passport, at=MONDAY + dt.timedelta(hours=i)) for i in range(6)]
    assert [o.rewarded for o in outcomes] == [True] * 5 + [False]
    assert outcomes[-1].withheld == services.WITHHELD_HELPER_WEEK


def _weeks(count):
    return [MONDAY + dt.timedelta(days=7 * week) for week in range(count)]


def test_two_accounts_that_only_help_each_other_stop_earning(passport):
    one, two = trusted(), trusted()
    outcomes = []
    for at in _weeks(4):
        outcomes.append(_help(one, two, passport, at=at))
        outcomes.append(_help(two, one, passport, at=at + dt.timedelta(hours=1)))
    # Each earns twice (no circle yet / fewer than 2 rewards), then the ring is caught.
    assert [o.rewarded for o in outcomes] == [True, True, True, True, False, False, False, False]
    assert {o.withheld for o in outcomes[4:]} == {services.WITHHELD_RING}


def test_three_accounts_helping_in_a_circle_stop_earning(passport):
    a, b, c = trusted(), trusted(), trusted()
    outcomes = []
    for at in _weeks(4):
        outcomes.append(_help(a, b, passport, at=at))
        outcomes.append(_help(b, c, passport, at=at + dt.timedelta(hours=1)))
        outcomes.append(_help(c, a, passport, at=at + dt.timedelta(hours=2)))
    assert all(o.rewarded for o in outcomes[:6])
    assert [o.withheld for o in outcomes[6:]] == [services.WITHHELD_RING] * 6


def test_an_honest_helper_thanked_back_keeps_earning(passport):
    honest, friend = trusted(), trusted()
    outcomes = []
    for index, at in enumerate(_weeks(4)):
        outcomes.append(_help(honest, friend, passport, at=at))
        outcomes.append(_help(friend, honest, passport, at=at + dt.timedelta(hours=1)))
        # The honest helper also helps people outside the circle.
        outcomes.append(_help(honest, trusted(), passport, at=at + dt.timedelta(hours=2 + index)))
    honest_outcomes = [o for o in outcomes if o.helper_id == honest.pk]
    assert all(o.rewarded for o in honest_outcomes)
