"""Conversations between a citizen and the assistant, with the citizen's feedback on answers.

What is stored: the citizen's questions AFTER personal-data redaction (``redaction.redact``),
never the raw text, so that neither the history, the staff statistics nor a database dump
hold an e-mail address, a phone, a NIR or an IBAN the citizen typed. Everything is deleted
after ``ASSISTANT_HISTORY_RETENTION_DAYS`` (``manage.py assistant_history_purge``, daily).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import User


class Conversation(models.Model):
    """A citizen's thread of questions, with the procedure and step they were on when they started it."""

    citizen = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assistant_conversations")
    procedure_slug = models.SlugField(max_length=100, blank=True)
    step_slug = models.SlugField(max_length=100, blank=True)
    # The first question (redacted), cut short: how the history names the conversation.
    title = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conversation avec l’assistant")
        indexes = [
            models.Index(fields=["citizen", "-updated_at"], name="assistant_conv_citizen_idx"),
            models.Index(fields=["updated_at"], name="assistant_conv_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class MessageRole(models.TextChoices):
    CITIZEN = "citizen", _("Vous")
    ASSISTANT = "assistant", _("Assistant")


class Outcome(models.TextChoices):
    """``civiquest.assistant.types.Outcome``, as stored."""

    ANSWERED = "answered", _("Réponse")
    LOW_CONFIDENCE = "low_confidence", _("Réponse peu sûre")
    OUT_OF_SCOPE = "out_of_scope", _("Hors sujet")
    LEGAL_CASE = "legal_case", _("Situation individuelle")
    RATE_LIMITED = "rate_limited", _("Trop de questions")


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=MessageRole.choices)
    # Citizen messages: the question as redacted. Assistant messages: the answer (plain text).
    text = models.TextField()
    # The question, normalized (lower case, no accents or punctuation), on both the question
    # and its answer: what the staff statistics group by.
    question_key = models.CharField(max_length=200, blank=True)
    # The question an answer answers: one answer per question, however often the stream is replayed.
    reply_to = models.OneToOneField("self", on_delete=models.CASCADE, null=True, blank=True, related_name="answer")
    # [{"id", "title", "url", "kind"}], built by the application from the passages used.
    citations = models.JSONField(default=list, blank=True)
    # Slugs of procedures the citizen may start from the answer.
    suggested_procedures = models.JSONField(default=list, blank=True)
    provider = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    notice = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="assistant_msg_conv_idx"),
            models.Index(fields=["created_at"], name="assistant_msg_created_idx"),
            models.Index(fields=["role", "question_key"], name="assistant_msg_question_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="citizen", reply_to__isnull=True) | Q(role="assistant"),
                name="assistant_question_replies_to_nothing",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_assistant(self) -> bool:
        return self.role == MessageRole.ASSISTANT


class Vote(models.TextChoices):
    UP = "up", _("Utile")
    DOWN = "down", _("Pas utile")


class Feedback(models.Model):
    """The citizen's thumbs up or down on one answer, with an optional comment; one per answer."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="feedback")
    vote = models.CharField(max_length=4, choices=Vote.choices)
    comment = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("avis sur une réponse")
        indexes = [models.Index(fields=["vote", "-updated_at"], name="assistant_feedback_vote_idx")]

    def __str__(self) -> str:
        return f"{self.vote} {self.message_id}"
