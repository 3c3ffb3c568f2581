"""Progress: the XP ledger, levels, badges."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# --- XP ledger, levels, badges ---------------------------------------------------------------


class LedgerIsAppendOnly(Exception):
    """An XP entry is never changed nor deleted: a correction is a new, negative entry."""


def ledger_message() -> str:
    return gettext("Le relevé d’XP ne se modifie pas et ne s’efface pas : une correction est une nouvelle ligne.")


class XpEntryQuerySet(models.QuerySet["XpEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise LedgerIsAppendOnly(ledger_message())

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly(ledger_message())


class XpKind(models.TextChoices):
    """What kind of action an XP line rewards: the one place that says which kinds are capped.

    A milestone (a quest accepted or completed, the on-time bonus) happens once per procedure
    instance: it is never capped nor diminished. The others are repeatable small actions: the
    daily cap counts them (and only them) and the n-th identical one of a day earns less.
    """

    STEP = "step", _("étape de démarche")
    HABIT = "habit", _("habitude civique")
    SHARE = "share", _("partage")
    ENTRAIDE = "entraide", _("réponse d’entraide")
    MILESTONE = "milestone", _("étape clé")


# The kinds the daily cap (``PROGRESS_XP_DAILY_CAP``) and the diminishing returns apply to.
REPEATABLE_KINDS = frozenset({XpKind.STEP, XpKind.HABIT, XpKind.SHARE, XpKind.ENTRAIDE})


class XpLimit(models.TextChoices):
    """Why an award was granted less than the rule asked (empty: in full)."""

    NONE = "", _("aucune")
    REPEATED = "repeated", _("action répétée aujourd’hui")
    DAILY_CAP = "daily_cap", _("limite du jour atteinte")
    SELF_DECLARED_CAP = "self_declared_cap", _("limite du jour des actions déclarées atteinte")


class XpEntry(models.Model):
    """One line of a citizen's XP ledger. Append-only: the balance is the sum of the lines.

    ``key`` names the event that earned it (``quest-step:42:7``): the same event never
    makes two lines, whatever the retries and the workers. ``amount`` is what was granted
    after the daily cap and the diminishing returns (``requested`` is what the rule asked);
    a reversal is a negative line pointing at the line it reverses (``reverses``).
    ``kind`` says whether the line is a milestone (never capped) or a repeatable action, and
    ``limit`` why ``amount`` is below ``requested`` (the rule that reduced it last).
    ``day`` is the Europe/Paris date of the award, the unit of the daily cap.
    """

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xp_entries")
    amount = models.IntegerField(_("XP"))
    requested = models.IntegerField(_("XP prévus"), default=0)
    reason = models.CharField(_("motif"), max_length=200)
    key = models.CharField(_("événement"), max_length=200, unique=True)
    source_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    self_declared = models.BooleanField(_("déclaratif"), default=False)
    kind = models.CharField(_("type d’action"), max_length=16, choices=XpKind.choices, default=XpKind.STEP)
    limit = models.CharField(_("réduction"), max_length=24, choices=XpLimit.choices, default="", blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    motivation = models.TextField(_("motivation"), blank=True)
    day = models.DateField(_("jour"))
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    objects = XpEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ligne d’XP")
        verbose_name_plural = _("relevé d’XP")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["citizen", "-id"], name="progress_xp_citizen_idx"),
            models.Index(fields=["citizen", "day"], name="progress_xp_citizen_day_idx"),
            models.Index(fields=["source_type", "source_id"], name="progress_xp_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reason}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly(ledger_message())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerIsAppendOnly(ledger_message())


class LevelState(models.Model):
    """The highest level a citizen reached: levels never go down, even after a reversal."""

    citizen = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="level_state"
    )
    max_level = models.PositiveSmallIntegerField(_("niveau atteint"), default=1)
    curve_version = models.PositiveSmallIntegerField(_("version de la courbe"), default=1)
    reached_at = models.DateTimeField(_("atteint le"), null=True, blank=True)

    class Meta:
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")

    def __str__(self) -> str:
        return f"{self.citizen_id}: {self.max_level}"


class BadgeAward(models.Model):
    """A badge a citizen earned. Once: (citizen, code) is unique. Badges are defined in code."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")
    code = models.SlugField(_("badge"), max_length=60)
    awarded_at = models.DateTimeField(_("obtenu le"), default=timezone.now)

    class Meta:
        verbose_name = _("badge obtenu")
        verbose_name_plural = _("badges obtenus")
        ordering = ["awarded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["citizen", "code"], name="progress_badge_unique_award"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen_id}: {self.code}"
