"""Writes on habits, check-ins, pauses and game preferences: keyword-only, atomic, idempotent.

Cross-app effects are explicit calls: a self-declared check-in asks the XP ledger for a
small, capped award (``civiquest.progress.xp.xp_award``, keyed by the check-in, so a retry
awards nothing more); the procedures services call ``habit_action_recorded`` when a real
action happens (a document added to the wallet checks "keep the wallet up to date").
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.core.citizen_cache import citizen_data_changed
from civiquest.notifications.services import HABIT_REMINDER_KIND, notify
from civiquest.progress.badges import badges_evaluate
from civiquest.progress.habits import avatar
from civiquest.progress.habits.catalogue import BY_CODE, REMINDER_DAYS_LEFT, local_date, period_end, period_start
from civiquest.progress.habits.models import CheckIn, CheckInSource, GamePreferences, Habit, Pause
from civiquest.progress.habits.selectors import GAME_NEWS_BY_EMAIL_ATTRIBUTE, GAME_VISIBLE_ATTRIBUTE
from civiquest.progress.unlocks import unlocks_of
from civiquest.progress.xp import XpKind, xp_award

logger = logging.getLogger(__name__)

# XP for a check-in (the reference's base for a self-declared habit); the XP app caps the day.
CHECK_IN_XP = 5
PAUSE_MAX_DAYS = 92
# A plain string: Notification.kind's choices are not enforced by the database. The
# notification centre shows it with the game's news, apart from the services' messages.
REMINDER_KIND = HABIT_REMINDER_KIND


class HabitError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def habit_adopt(*, citizen: User, code: str, now: dt.datetime | None = None) -> Habit:
    """Follow a habit of the catalogue (again): idempotent; a dropped habit comes back with its history."""
    if code not in BY_CODE:
        raise HabitError(_("Cette habitude n’existe pas."))
    if not citizen.is_citizen:
        raise HabitError(_("Seuls les usagers suivent des habitudes."))
    now = now or timezone.now()
    habit = Habit.objects.select_for_update().filter(citizen=citizen, code=code).first()
    if habit is None:
        try:
            with transaction.atomic():
                return Habit.objects.create(citizen=citizen, code=code, adopted_at=now)
        except IntegrityError:
            habit = Habit.objects.select_for_update().get(citizen=citizen, code=code)
    if not habit.active:
        habit.active = True
        habit.adopted_at = now
        habit.dropped_at = None
        habit.save(update_fields=["active", "adopted_at", "dropped_at"])
    return habit


@transaction.atomic
def habit_drop(*, habit: Habit, now: dt.datetime | None = None) -> Habit:
    """Stop following a habit; its check-ins are kept (and come back if it is adopted again)."""
    if habit.active:
        habit.active = False
        habit.dropped_at = now or timezone.now()
        habit.save(update_fields=["active", "dropped_at"])
    return habit


@dataclass
class CheckInResult:
    check_in: CheckIn
    created: bool


def habit_check_in(
    *, habit: Habit, source: str = CheckInSource.SELF, action: str = "", now: dt.datetime | None = None
) -> CheckInResult:
    """Mark the habit done for the current period (Europe/Paris). Once per period: a second call changes nothing."""
    if not habit.active:
        raise HabitError(_("Vous ne suivez plus cette habitude."))
    now = now or timezone.now()
    start = period_start(habit.definition.period, local_date(now))
    existing = CheckIn.objects.filter(habit=habit, period_start=start).first()
    if existing is not None:
        return CheckInResult(check_in=existing, created=False)
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                habit=habit, period_start=start, checked_at=now, source=source, action=action[:40]
            )
            _reward(habit=habit, check_in=check_in)
    except IntegrityError:
        # A double click or a second worker checked the same period first.
        return CheckInResult(check_in=CheckIn.objects.get(habit=habit, period_start=start), created=False)
    return CheckInResult(check_in=check_in, created=True)


def _reward(*, habit: Habit, check_in: CheckIn) -> None:
    """Small XP for the check-in (capped by the XP app), then let badges look at the new streak."""
    xp_award(
        citizen=habit.citizen,
        amount=CHECK_IN_XP,
        reason=_("Habitude : %(title)s") % {"title": habit.definition.title},
        key=f"habit-checkin:{check_in.pk}",
        source=check_in,
        kind=XpKind.HABIT,
        self_declared=check_in.source == CheckInSource.SELF,
    )
    badges_evaluate(citizen=habit.citizen)


def habit_action_recorded(*, citizen: User, action: str, now: dt.datetime | None = None) -> list[CheckIn]:
    """A real action happened (``catalogue.Action``): check every followed habit it fulfils.

    Called by the service that did the action, inside its transaction. Idempotent per period.
    """
    codes = [code for code, definition in BY_CODE.items() if definition.auto_action == action]
    if not codes:
        return []
    habits = Habit.objects.filter(citizen=citizen, code__in=codes, active=True).select_related("citizen")
    return [
        habit_check_in(habit=habit, source=CheckInSource.ACTION, action=action, now=now).check_in for habit in habits
    ]


@transaction.atomic
def pause_start(*, citizen: User, until: dt.date, now: dt.datetime | None = None) -> Pause:
    """Pause every habit from today to ``until`` (included): one pause at a time, the last one extended."""
    today = local_date(now or timezone.now())
    if until < today:
        raise HabitError(_("La date de fin de la pause doit être aujourd’hui ou plus tard."))
    if until > today + dt.timedelta(days=PAUSE_MAX_DAYS):
        raise HabitError(
            _("Une pause dure au plus %(days)s jours ; vous pourrez la prolonger ensuite.") % {"days": PAUSE_MAX_DAYS}
        )
    User.objects.select_for_update().filter(pk=citizen.pk).first()  # one pause change at a time per citizen
    current = Pause.objects.filter(citizen=citizen, ends_on__gte=today, starts_on__lte=today).first()
    if current is not None:
        current.ends_on = until
        current.save(update_fields=["ends_on"])
        return current
    return Pause.objects.create(citizen=citizen, starts_on=today, ends_on=until)


@transaction.atomic
def pause_end(*, citizen: User, now: dt.datetime | None = None) -> None:
    """End the current pause today (the current period stays covered); drop pauses not started yet."""
    today = local_date(now or timezone.now())
    Pause.objects.filter(citizen=citizen, starts_on__gt=today).delete()
    Pause.objects.filter(citizen=citizen, starts_on__lte=today, ends_on__gt=today).update(ends_on=today)
    citizen_data_changed(citizen.pk)  # an update sends no signal


def _preferences_for_update(citizen: User) -> GamePreferences:
    preferences, _created = GamePreferences.objects.select_for_update().get_or_create(citizen=citizen)
    return preferences


@transaction.atomic
def sober_mode_set(*, citizen: User, enabled: bool) -> GamePreferences:
    """Turn "mode sobre" on or off: it only hides the game, the service is the same."""
    preferences = _preferences_for_update(citizen)
    if preferences.sober_mode != enabled:
        preferences.sober_mode = enabled
        preferences.save(update_fields=["sober_mode", "updated_at"])
    setattr(citizen, GAME_VISIBLE_ATTRIBUTE, not enabled)
    setattr(citizen, GAME_NEWS_BY_EMAIL_ATTRIBUTE, preferences.game_news_by_email and not enabled)
    return preferences


@transaction.atomic
def display_choose(*, citizen: User, sober: bool, now: dt.datetime | None = None) -> GamePreferences:
    """Record the citizen's choice between the game and "mode sobre", and when they made it."""
    preferences = _preferences_for_update(citizen)
    preferences.sober_mode = sober
    preferences.chosen_at = now or timezone.now()
    preferences.save(update_fields=["sober_mode", "chosen_at", "updated_at"])
    setattr(citizen, GAME_VISIBLE_ATTRIBUTE, not sober)
    setattr(citizen, GAME_NEWS_BY_EMAIL_ATTRIBUTE, preferences.game_news_by_email and not sober)
    return preferences


@transaction.atomic
def game_news_by_email_set(*, citizen: User, enabled: bool) -> GamePreferences:
    """Opt in (or out) of emails telling a new level or badge; the notification centre shows them anyway."""
    preferences = _preferences_for_update(citizen)
    if preferences.game_news_by_email != enabled:
        preferences.game_news_by_email = enabled
        preferences.save(update_fields=["game_news_by_email", "updated_at"])
    setattr(citizen, GAME_NEWS_BY_EMAIL_ATTRIBUTE, enabled and not preferences.sober_mode)
    return preferences


@transaction.atomic
def habit_reminders_set(*, citizen: User, enabled: bool) -> GamePreferences:
    preferences = _preferences_for_update(citizen)
    if preferences.habit_reminders != enabled:
        preferences.habit_reminders = enabled
        preferences.save(update_fields=["habit_reminders", "updated_at"])
    return preferences


@transaction.atomic
def avatar_save(*, citizen: User, choice: dict[str, str], title_level: int | None = None) -> GamePreferences:
    """Save the avatar and the displayed title; every part must be unlocked for this citizen."""
    unlocks = unlocks_of(citizen)
    wanted = {slot: str(choice.get(slot, "")) for slot in (*avatar.SLOTS, "accent")}
    if not avatar.unlocked(wanted, level=unlocks.level, badges=unlocks.badges):
        raise HabitError(_("Cet élément de l’avatar n’est pas encore débloqué."))
    if title_level is not None and title_level not in {at for at, _title in unlocks.titles}:
        raise HabitError(_("Ce titre n’est pas encore débloqué."))
    preferences = _preferences_for_update(citizen)
    preferences.avatar = wanted
    preferences.title_level = title_level
    preferences.save(update_fields=["avatar", "title_level", "updated_at"])
    return preferences


def habits_remind(*, now: dt.datetime | None = None) -> int:
    """Remind citizens who asked for it of the habits whose period ends soon and that are not done yet.

    One notification per habit and period (its key), so running the job twice tells nothing
    twice. Nobody on pause is reminded. Returns how many notifications were written.
    """

    now = now or timezone.now()
    today = local_date(now)
    habits = (
        Habit.objects.filter(active=True, citizen__game_preferences__habit_reminders=True, citizen__is_active=True)
        .exclude(Exists(Pause.objects.filter(citizen=OuterRef("citizen"), starts_on__lte=today, ends_on__gte=today)))
        .select_related("citizen")
        .order_by("citizen_id", "pk")
    )
    due: list[tuple[Habit, dt.date, dt.date]] = []
    for habit in habits:
        period = habit.definition.period
        start = period_start(period, today)
        end = period_end(period, start)
        if (end - today).days <= REMINDER_DAYS_LEFT[period]:
            due.append((habit, start, end))
    done = set(
        CheckIn.objects.filter(
            habit_id__in=[habit.pk for habit, _start, _end in due], period_start__in={start for _h, start, _e in due}
        ).values_list("habit_id", "period_start")
    )
    written = 0
    url = reverse("citizen:habits")
    for habit, start, end in due:
        if (habit.pk, start) in done:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            title, body = _reminder_text(habit, end)
        notify(
            recipient=habit.citizen,
            kind=REMINDER_KIND,
            key=f"habit-reminder:{habit.pk}:{start.isoformat()}",
            title=title,
            body=body,
            url=url,
        )
        written += 1
    return written


def _reminder_text(habit: Habit, end: dt.date) -> tuple[str, str]:
    """A reminder that invites, never blames: no streak count, no loss, a way out."""
    title = _("Quand vous voulez : %(habit)s") % {"habit": str(habit.definition.title).lower()}
    body = _(
        "Cette habitude peut être cochée jusqu’au %(end)s. Si ce n’est pas le moment, ce n’est pas grave : "
        "vous pouvez aussi mettre vos habitudes en pause ou arrêter ces rappels depuis la page de vos habitudes."
    ) % {"end": end.strftime("%d/%m/%Y")}
    return title, body
