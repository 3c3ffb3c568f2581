"""Notifications: messages to one user (in-app, e-mail) and the weekly digest deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    QUEST_STATE = "quest_state", _("Suivi d’un dossier")
    LEVEL_UP = "level_up", _("Nouveau niveau")
    BADGE = "badge", _("Nouveau badge")
    DEADLINE = "deadline", _("Échéance d’instruction")
    APPOINTMENT = "appointment", _("Rendez-vous")
    TITLE_EXPIRY = "title_expiry", _("Expiration d’un titre")
    DATA_EXPORT = "data_export", _("Export de vos données")
    RECOMMENDATION = "recommendation", _("Démarche à faire avant une date limite")
    ENTRAIDE = "entraide", _("Entraide")
    MODERATION = "moderation", _("Modération")
    MANDATE = "mandate", _("Aidant et mandat")
    QUEST_CHANGE = "quest_change", _("Nouveau sur un dossier suivi")


class Notification(models.Model):
    """A message to one user, shown in their space and, if they agreed, sent by email.

    ``key`` names the event it tells about: the same event never makes two notifications.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("type"), max_length=32, choices=NotificationKind.choices)
    key = models.CharField(_("événement"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("lien"), max_length=300, blank=True)
    quest = models.ForeignKey(
        "quests.Quest", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyée par courriel le"), null=True, blank=True)

    class Meta:
        db_table = "progress_notification"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="progress_notif_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="progress_notif_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class DigestDelivery(models.Model):
    """The weekly digest sent to one citizen for one ISO week (``2026-W48``): at most once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(_("semaine"), max_length=8)
    notification_count = models.PositiveIntegerField(_("notifications"), default=0)
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        db_table = "progress_digestdelivery"
        verbose_name = _("résumé hebdomadaire envoyé")
        verbose_name_plural = _("résumés hebdomadaires envoyés")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "week"], name="progress_digest_unique_week"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.week}"
