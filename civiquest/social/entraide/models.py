"""Questions and answers between citizens, per procedure and per step, and "utile" votes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PostStatus(models.TextChoices):
    """Where a question or an answer stands; only ``PUBLISHED`` posts are shown to others."""

    PENDING = "pending", _("En attente de modération")
    PUBLISHED = "published", _("Publié")
    HIDDEN = "hidden", _("Masqué en attendant l’examen")
    REMOVED = "removed", _("Retiré par la modération")


class Question(models.Model):
    """A citizen's question on a procedure, optionally on one of its steps (by its slug, stable
    across revisions). The author is kept as null when their account is erased."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="entraide_questions"
    )
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="entraide_questions")
    step_slug = models.SlugField(_("étape"), max_length=60, blank=True)
    title = models.CharField(_("question"), max_length=160)
    body = models.TextField(_("précisions"), max_length=2000, blank=True)
    status = models.CharField(_("état"), max_length=16, choices=PostStatus.choices, default=PostStatus.PENDING)
    created_at = models.DateTimeField(_("posée le"), default=timezone.now)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("question d’entraide")
        verbose_name_plural = _("questions d’entraide")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["procedure", "status", "-created_at"], name="entraide_q_procedure"),
            models.Index(fields=["procedure", "step_slug", "status"], name="entraide_q_step"),
            models.Index(fields=["author", "-created_at"], name="entraide_q_author"),
        ]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    """An answer to a question; at most one per question is accepted by the asker."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="entraide_answers"
    )
    body = models.TextField(_("réponse"), max_length=4000)
    fiche_url = models.URLField(_("fiche officielle citée"), max_length=300, blank=True)
    status = models.CharField(_("état"), max_length=16, choices=PostStatus.choices, default=PostStatus.PENDING)
    created_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    helpful_count = models.PositiveIntegerField(_("votes « utile »"), default=0)

    class Meta:
        verbose_name = _("réponse d’entraide")
        verbose_name_plural = _("réponses d’entraide")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"], condition=Q(accepted_at__isnull=False), name="entraide_one_accepted_answer"
            )
        ]
        indexes = [
            models.Index(fields=["question", "status"], name="entraide_a_question"),
            models.Index(fields=["author", "-created_at"], name="entraide_a_author"),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class Vote(models.Model):
    """One citizen finds one answer "utile": once (unique), never on their own answer."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entraide_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote « utile »")
        verbose_name_plural = _("votes « utile »")
        constraints = [models.UniqueConstraint(fields=["answer", "voter"], name="entraide_one_vote")]

    def __str__(self) -> str:
        return f"vote {self.voter_id} → {self.answer_id}"


class HelpReward(models.Model):
    """Why a helper did or did not earn XP for an answer: one row per answer, whatever the outcome.

    ``rewarded`` false with ``withheld`` says which fairness rule held it back (a cap per pair
    and per week, a ring, the helper answering themselves, "mode sobre").
    """

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="reward")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entraide_rewards_given"
    )
    helped = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    week = models.CharField(_("semaine ISO"), max_length=8)
    rewarded = models.BooleanField(default=False)
    withheld = models.CharField(_("raison"), max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("récompense d’entraide")
        verbose_name_plural = _("récompenses d’entraide")
        indexes = [
            models.Index(fields=["helper", "week"], name="entraide_reward_week"),
            models.Index(fields=["helper", "helped"], name="entraide_reward_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id}: {'rewarded' if self.rewarded else self.withheld}"
