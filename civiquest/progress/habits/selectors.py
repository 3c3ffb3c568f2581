"""Reads on habits, streaks and game preferences, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.core.citizen_cache import cached_citizen_read
from civiquest.progress.habits import avatar, streaks
from civiquest.progress.habits.catalogue import CATALOGUE, HabitDefinition, Period, local_date
from civiquest.progress.habits.models import CheckIn, GamePreferences, Habit, Pause

CALENDAR_PERIODS = 12
# Where ``game_visible_for`` and ``game_news_by_email_for`` memoise their answers on the user
# object (the request's, or the citizen a use case rewards): one query for both, once.
GAME_VISIBLE_ATTRIBUTE = "_civiquest_game_visible"
GAME_NEWS_BY_EMAIL_ATTRIBUTE = "_civiquest_game_news_by_email"


@dataclass
class HabitView:
    habit: Habit
    streak: streaks.Streak

    @property
    def definition(self) -> HabitDefinition:
        return self.habit.definition

    @property
    def calendar(self) -> list[streaks.PeriodState]:
        return self.streak.last(CALENDAR_PERIODS)

    @property
    def due_on(self) -> dt.date | None:
        """The last day to check it this period, or None when it is done already."""
        this_period = self.streak.this_period
        if this_period is None or this_period.is_done:
            return None
        return this_period.end


def today_local(now: dt.datetime | None = None) -> dt.date:
    return local_date(now or timezone.now())


def _pause_spans(citizen: User) -> list[tuple[dt.date, dt.date]]:
    return list(Pause.objects.filter(citizen=citizen).values_list("starts_on", "ends_on"))


def _views(habits: list[Habit], pauses: list[tuple[dt.date, dt.date]], today: dt.date) -> list[HabitView]:
    return [
        HabitView(
            habit=habit,
            streak=streaks.compute(
                period=habit.definition.period,
                since=local_date(habit.adopted_at),
                checked=[check_in.period_start for check_in in habit.check_ins.all()],
                pauses=pauses,
                today=today,
            ),
        )
        for habit in habits
    ]


def habits_of(*, citizen: User, now: dt.datetime | None = None, include_dropped: bool = False) -> list[HabitView]:
    """The citizen's habits in catalogue order, each with its streak, in three queries."""
    today = today_local(now)
    queryset = Habit.objects.filter(citizen=citizen).prefetch_related(
        Prefetch("check_ins", queryset=CheckIn.objects.only("habit_id", "period_start").order_by("period_start"))
    )
    if not include_dropped:
        queryset = queryset.filter(active=True)
    order = {definition.code: index for index, definition in enumerate(CATALOGUE)}
    habits = sorted(queryset, key=lambda habit: order.get(habit.code, len(order)))
    if not habits:
        return []
    return _views(habits, _pause_spans(citizen), today)


def habit_of(*, citizen: User, habit_id: Any) -> Habit | None:
    """The citizen's own habit by id; None for anybody else's or a missing one (a 404)."""
    try:
        pk = int(habit_id)
    except (TypeError, ValueError):
        return None
    return Habit.objects.filter(pk=pk, citizen=citizen).first()


def catalogue_for(*, citizen: User, adopted: list[HabitView]) -> list[HabitDefinition]:
    """The habits of the catalogue the citizen does not follow yet."""
    codes = {view.habit.code for view in adopted}
    return [definition for definition in CATALOGUE if definition.code not in codes]


def best_streak_weeks(citizen: User, *, now: dt.datetime | None = None) -> int:
    """The longest streak, in weeks, of any of the citizen's weekly habits (followed now or before).

    Weekly is the most frequent period of the catalogue. A streak counts done weeks in a row;
    paused weeks and weeks covered by a freeze keep it without adding to it. 0 without a
    weekly habit. Three queries.
    """
    codes = [definition.code for definition in CATALOGUE if definition.period == Period.WEEKLY]
    habits = list(
        Habit.objects.filter(citizen=citizen, code__in=codes).prefetch_related(
            Prefetch("check_ins", queryset=CheckIn.objects.only("habit_id", "period_start"))
        )
    )
    if not habits:
        return 0
    return max(view.streak.best for view in _views(habits, _pause_spans(citizen), today_local(now)))


def current_pause(*, citizen: User, now: dt.datetime | None = None) -> Pause | None:
    """The pause covering today or starting later, if any."""
    return Pause.objects.filter(citizen=citizen, ends_on__gte=today_local(now)).order_by("starts_on", "pk").first()


def preferences_of(citizen: User) -> GamePreferences:
    """The citizen's game preferences (an unsaved default row when they never chose anything)."""
    found = GamePreferences.objects.filter(citizen=citizen).first()
    return found if found is not None else GamePreferences(citizen=citizen)


def _game_preferences_read(citizen_id: int) -> tuple[bool, bool]:
    rows = GamePreferences.objects.filter(citizen_id=citizen_id)
    found = rows.values_list("sober_mode", "game_news_by_email").first()
    return (bool(found[0]), bool(found[1])) if found else (False, False)


def _game_preferences_memoise(user: Any) -> None:
    """Read "mode sobre" and the game news by email once, onto the user object.

    From the citizen's cache (``core.citizen_cache``: a saved preference draws a new generation),
    so that every signed-in page does not ask the database for it.
    """
    sober, news = cached_citizen_read("game-preferences", user.pk, lambda: _game_preferences_read(user.pk))
    if getattr(user, GAME_VISIBLE_ATTRIBUTE, None) is None:
        setattr(user, GAME_VISIBLE_ATTRIBUTE, not sober)
    setattr(user, GAME_NEWS_BY_EMAIL_ATTRIBUTE, news and not sober)


def game_news_by_email_for(user: Any) -> bool:
    """Whether the citizen asked for emails about their new levels and badges (never in "mode sobre").

    Memoised on the user object with ``game_visible_for``: a level and three badges won in one
    action ask the database once.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, GAME_NEWS_BY_EMAIL_ATTRIBUTE, None) is None:
        _game_preferences_memoise(user)
    return bool(getattr(user, GAME_NEWS_BY_EMAIL_ATTRIBUTE))


def game_visible_for(user: Any) -> bool:
    """False for a citizen who turned "mode sobre" on; True otherwise (anonymous visitors included).

    Memoised on the user object, so the layout and the page ask the database once per request.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return True
    if getattr(user, GAME_VISIBLE_ATTRIBUTE, None) is None:
        _game_preferences_memoise(user)
    return bool(getattr(user, GAME_VISIBLE_ATTRIBUTE))


def avatar_choice_of(preferences: GamePreferences) -> dict[str, str]:
    return avatar.normalized(preferences.avatar if isinstance(preferences.avatar, dict) else {})


def due_soon(views: list[HabitView], *, today: dt.date, period: str | None = None) -> list[HabitView]:
    """The habits not done in their current period, the closest end first."""
    pending = [
        view for view in views if view.due_on is not None and (period is None or view.definition.period == period)
    ]
    return sorted(pending, key=lambda view: (view.due_on or today, view.definition.code))
