"""Civic habits, check-ins and pauses; the citizen's game preferences (mode sobre, reminders, avatar).

Streaks and freezes are not stored: they are derived from the check-ins and the pauses
(``streaks.py``), so a retried task or a double click can never count twice, and a change
of the rules applies to the whole history at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civiquest.progress.habits.catalogue import BY_CODE, CODE_CHOICES, HabitDefinition


class Habit(models.Model):
    """A habit of the catalogue adopted by a citizen. Dropping keeps its history (``active=False``)."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="habits")
    code = models.CharField(_("habitude"), max_length=40, choices=CODE_CHOICES)
    active = models.BooleanField(_("suivie"), default=True)
    adopted_at = models.DateTimeField(_("adoptée le"))
    dropped_at = models.DateTimeField(_("abandonnée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("habitude")
        verbose_name_plural = _("habitudes")
        constraints = [models.UniqueConstraint(fields=["citizen", "code"], name="habits_habit_citizen_code_uniq")]
        indexes = [models.Index(fields=["citizen", "active"], name="habits_habit_citizen_active")]

    def __str__(self) -> str:
        return f"{self.code} ({self.citizen_id})"

    @property
    def definition(self) -> HabitDefinition:
        return BY_CODE[self.code]


class CheckInSource(models.TextChoices):
    SELF = "self", _("déclarée")
    ACTION = "action", _("action réelle")


class CheckIn(models.Model):
    """A habit done in one period: at most one per habit and period (the unique key makes it idempotent)."""

    habit = models.ForeignKey(Habit, on_delete=models.CASCADE, related_name="check_ins")
    period_start = models.DateField(_("début de la période"))
    checked_at = models.DateTimeField(_("cochée le"))
    source = models.CharField(_("origine"), max_length=10, choices=CheckInSource.choices)
    action = models.CharField(_("action"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("habitude cochée")
        verbose_name_plural = _("habitudes cochées")
        constraints = [
            models.UniqueConstraint(fields=["habit", "period_start"], name="habits_checkin_habit_period_uniq")
        ]
        ordering = ["habit", "period_start"]

    def __str__(self) -> str:
        return f"{self.habit_id}@{self.period_start}"


class Pause(models.Model):
    """A break (illness, holidays): periods it touches neither count nor break any streak."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="habit_pauses")
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        indexes = [models.Index(fields=["citizen", "ends_on"], name="habits_pause_citizen_ends")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="habits_pause_dates")
        ]

    def __str__(self) -> str:
        return f"{self.citizen_id}: {self.starts_on} → {self.ends_on}"


class GamePreferences(models.Model):
    """One citizen's choices about the game: mode sobre, habit reminders, avatar.

    No row means the defaults (game shown, no reminders, default avatar). ``chosen_at`` is when
    the citizen chose between the game and "mode sobre" (the choice offered after the first
    sign-in, or the header's switch); None while they never chose.
    """

    citizen = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="game_preferences"
    )
    sober_mode = models.BooleanField(_("mode sobre"), default=False)
    chosen_at = models.DateTimeField(_("affichage choisi le"), null=True, blank=True)
    habit_reminders = models.BooleanField(_("rappels des habitudes"), default=False)
    # Levels and badges are told in the notification centre; by email only if asked for.
    game_news_by_email = models.BooleanField(_("niveaux et badges par courriel"), default=False)
    avatar = models.JSONField(_("avatar"), default=dict, blank=True)
    title_level = models.PositiveSmallIntegerField(_("titre affiché (niveau)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("préférences de jeu")
        verbose_name_plural = _("préférences de jeu")
        indexes = [
            models.Index(
                fields=["habit_reminders"], condition=models.Q(habit_reminders=True), name="habits_prefs_reminders"
            )
        ]

    def __str__(self) -> str:
        return str(self.citizen_id)
