"""Reports from citizens, moderators' decisions (append-only) and suspensions from posting."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportReason(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Contient des données personnelles")
    ABUSE = "abuse", _("Propos injurieux, haineux ou discriminatoires")
    WRONG = "wrong", _("Information fausse ou dangereuse")
    SPAM = "spam", _("Publicité ou message hors sujet")
    SCAM = "scam", _("Arnaque ou service payant déguisé")
    OTHER = "other", _("Autre raison")


class Report(models.Model):
    """A citizen reports a question or an answer (exactly one of the two), once each."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entraide_reports")
    question = models.ForeignKey(
        "entraide.Question", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    answer = models.ForeignKey(
        "entraide.Answer", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.CharField(_("raison"), max_length=24, choices=ReportReason.choices)
    comment = models.CharField(_("précision"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=False, answer__isnull=True)
                | Q(question__isnull=True, answer__isnull=False),
                name="moderation_report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "question"], condition=Q(question__isnull=False), name="moderation_one_report_q"
            ),
            models.UniqueConstraint(
                fields=["reporter", "answer"], condition=Q(answer__isnull=False), name="moderation_one_report_a"
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="moderation_report_open")]

    def __str__(self) -> str:
        return f"{self.reason} ({self.question_id or self.answer_id})"


class DecisionAction(models.TextChoices):
    APPROVE = "approve", _("Publier (premier message)")
    HIDE = "hide", _("Masquer")
    RESTORE = "restore", _("Rétablir")
    REMOVE = "remove", _("Retirer")
    WARN = "warn", _("Avertir l’auteur")
    SUSPEND = "suspend", _("Suspendre l’auteur de publication")
    CONFIRM_HELPFUL = "confirm_helpful", _("Confirmer que la réponse a aidé")
    # The reports were unfounded: the post stays as it is. Not sent to the author, who may not
    # even know their post was reported; the explanation is the moderator's note.
    DISMISS = "dismiss", _("Classer les signalements sans suite")


class ModerationDecisionQuerySet(models.QuerySet["ModerationDecision"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("moderation decisions are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("moderation decisions are append-only")


class ModerationDecision(models.Model):
    """What a moderator decided, on which post, and the explanation the author receives. Append-only."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_decisions",
    )
    question = models.ForeignKey(
        "entraide.Question", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    answer = models.ForeignKey(
        "entraide.Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    action = models.CharField(_("décision"), max_length=24, choices=DecisionAction.choices)
    explanation = models.TextField(_("explication donnée à l’auteur"), max_length=2000)
    suspended_until = models.DateTimeField(_("suspendu jusqu’au"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ModerationDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("décision de modération")
        verbose_name_plural = _("décisions de modération")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["author", "-created_at"], name="moderation_decision_author")]

    def __str__(self) -> str:
        return f"{self.action} ({self.created_at:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("moderation decisions are append-only")
        super().save(*args, **kwargs)


class PostingSuspension(models.Model):
    """The author may not post before ``until`` (a moderator's decision)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posting_suspensions")
    until = models.DateTimeField(_("jusqu’au"))
    decision = models.OneToOneField(ModerationDecision, on_delete=models.CASCADE, related_name="suspension")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suspension de publication")
        verbose_name_plural = _("suspensions de publication")
        indexes = [models.Index(fields=["user", "until"], name="moderation_suspension_user")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.until:%Y-%m-%d}"
