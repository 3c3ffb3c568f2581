"""Reads on habits, streaks and game preferences, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.progress.habits import avatar, streaks
from civiquest.progress.habits.catalogue import CATALOGUE, HabitDefinition, Period, local_date
from civiquest.progress.habits.models import CheckIn, GamePreferences, Habit, Pause

CALENDAR_PERIODS = 12
# Where ``game_visible_for`` memoises its answer on the request's user object.
GAME_VISIBLE_ATTRIBUTE = "_civiquest_game_visible"


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


def game_news_by_email_for(user: Any) -> bool:
    """Whether the citizen asked for emails about their new levels and badges (never in "mode sobre")."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return GamePreferences.objects.filter(citizen_id=user.pk, game_news_by_email=True, sober_mode=False).exists()


def game_visible_for(user: Any) -> bool:
    """False for a citizen who turned "mode sobre" on; True otherwise (anonymous visitors included).

    Memoised on the user object, so the layout and the page ask the database once per request.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return True
    cached = getattr(user, GAME_VISIBLE_ATTRIBUTE, None)
    if cached is None:
        sober = GamePreferences.objects.filter(citizen_id=user.pk, sober_mode=True).exists()
        cached = not sober
        setattr(user, GAME_VISIBLE_ATTRIBUTE, cached)
    return bool(cached)


@dataclass
class Unlocks:
    level: int
    title: str
    badges: set[str]
    titles: list[tuple[int, str]]  # (level that unlocks it, title), the unlocked ones
    info: Any = None  # the XP app's LevelInfo, when it exists

    def displayed_title(self, title_level: int | None) -> str:
        """The title the citizen chose if it is unlocked, else the one of their level."""
        for at, title in reversed(self.titles):
            if title_level is not None and at <= title_level:
                return title
        return self.title


def unlocks_of(citizen: User) -> Unlocks:
    """The citizen's level, titles and badges as the XP app reports them (level 1 and none before it exists)."""
    level, title, badges = 1, "", set()
    titles: list[tuple[int, str]] = []
    info = None
    try:
        from civiquest.progress.levels import TITLES
        from civiquest.progress.xp import level_of
    except ImportError:
        pass
    else:
        info = level_of(citizen)
        level, title = int(info.level), str(info.title)
        titles = [(at, str(name)) for at, name in TITLES if at <= level]
    try:
        from civiquest.progress.badges import badge_codes_of
    except ImportError:
        pass
    else:
        badges = set(badge_codes_of(citizen))
    return Unlocks(level=level, title=title, badges=badges, titles=titles, info=info)


def avatar_choice_of(preferences: GamePreferences) -> dict[str, str]:
    return avatar.normalized(preferences.avatar if isinstance(preferences.avatar, dict) else {})


def due_soon(views: list[HabitView], *, today: dt.date, period: str | None = None) -> list[HabitView]:
    """The habits not done in their current period, the closest end first."""
    pending = [
        view for view in views if view.due_on is not None and (period is None or view.definition.period == period)
    ]
    return sorted(pending, key=lambda view: (view.due_on or today, view.definition.code))


# --- The citizen home ---------------------------------------------------------------------------

HOME_QUESTS = 5
HOME_REWARDS = 5


@dataclass
class Deadline:
    """Something with a date the citizen should see coming (a document expiring, a tax return…)."""

    label: str
    due_on: dt.date
    url: str
    expired: bool = False
    # "expiry": something runs out on that date; "due": something must be done before it.
    kind: str = "expiry"


def tax_deadline_of(citizen: User, *, today: dt.date) -> Deadline | None:
    """The ``declaration-revenus`` online deadline of the citizen's zone (taxes integration).

    None outside the campaign season, or once this spring's return is declared in a quest.
    The zone comes from the citizen's home address (zone 1's date, the earliest, when unknown).
    """
    from django.urls import reverse
    from django.utils.translation import gettext

    from civiquest.integrations.taxes.selectors import DECLARATION_SLUG, tax_deadline_for

    found = tax_deadline_for(citizen, today=today)
    if found is None or found.already_declared:
        return None
    deadline = found.deadline
    if deadline.zone is None:
        label = gettext("Déclaration des revenus %(year)s en ligne (date de la zone 1, la plus proche)") % {
            "year": deadline.campaign.income_year
        }
    else:
        label = gettext("Déclaration des revenus %(year)s en ligne (zone %(zone)s)") % {
            "year": deadline.campaign.income_year,
            "zone": deadline.zone,
        }
    return Deadline(
        label=label, due_on=deadline.due_on, url=reverse("citizen:procedure", args=[DECLARATION_SLUG]), kind="due"
    )


@dataclass
class Home:
    quests: list[Any]  # ongoing quests (to do, then in progress), each with ``current_step``
    deadlines: list[Deadline]
    habits_due: list[HabitView]
    rewards: list[Any]  # latest XP ledger lines (empty in mode sobre or before the XP app)
    game_visible: bool
    avatar_svg: str = ""
    displayed_title: str = ""
    level: Any = None


def home_of(*, citizen: User, now: dt.datetime | None = None) -> Home:
    """Everything the citizen home shows, in a bounded number of queries whatever the history."""
    from django.urls import reverse

    from civiquest.documents import services as wallet
    from civiquest.quests.selectors import quests_of

    now = now or timezone.now()
    today = today_local(now)
    groups = {group.key: group.quests for group in quests_of(citizen=citizen)}
    ongoing = [*groups.get("to_do", []), *groups.get("in_progress", [])][:HOME_QUESTS]

    deadlines = [
        Deadline(
            label=entry.document.title,
            due_on=entry.document.expires_on,
            url=reverse("citizen:documents"),
            expired=entry.is_expired,
        )
        for entry in wallet.documents_of(owner=citizen, today=today)
        if entry.document.expires_on is not None and (entry.is_expired or entry.expires_soon)
    ]
    tax = tax_deadline_of(citizen, today=today)
    if tax is not None:
        deadlines.append(tax)
    deadlines.sort(key=lambda deadline: deadline.due_on)

    views = habits_of(citizen=citizen, now=now)
    preferences = preferences_of(citizen)
    visible = not preferences.sober_mode
    setattr(citizen, GAME_VISIBLE_ATTRIBUTE, visible)  # the layout's ``game_visible`` then costs nothing
    home = Home(
        quests=ongoing,
        deadlines=deadlines,
        habits_due=due_soon(views, today=today),
        rewards=[],
        game_visible=visible,
    )
    if not visible:
        return home
    unlocks = unlocks_of(citizen)
    home.avatar_svg = avatar.render_svg(avatar_choice_of(preferences), size=96)
    home.displayed_title = unlocks.displayed_title(preferences.title_level)
    home.level = unlocks.info
    try:
        from civiquest.progress.selectors import ledger_of, reason_label
    except ImportError:
        return home
    home.rewards = [
        {"entry": entry, "label": reason_label(entry.reason)} for entry in ledger_of(citizen)[:HOME_REWARDS]
    ]
    return home
