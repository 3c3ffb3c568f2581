"""The weekly digest: one email per opted-in citizen listing their unread notifications of the week.

Idempotent per ISO week (Europe/Paris): a ``DigestDelivery`` row (recipient, ``2026-W48``)
is written in the same transaction as the email is sent, so running the job twice — by
hand and by Celery beat, or after a crash — sends one digest. A failed send leaves no row,
and the next run sends it. The wording tells what happened, never what was missed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civiquest.accounts.models import Role, User
from civiquest.core.dates import PARIS
from civiquest.notifications.models import DigestDelivery, Notification


def iso_week(moment: dt.datetime) -> tuple[str, dt.datetime]:
    """The ISO week (``2026-W48``) of ``moment`` in Paris time, and when it started (Monday 00:00)."""
    local = moment.astimezone(PARIS)
    year, week, weekday = local.isocalendar()
    monday = (local - dt.timedelta(days=weekday - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return f"{year}-W{week:02d}", monday


def weekly_digest_send(*, now: dt.datetime | None = None) -> int:
    """Send this week's digests not sent yet; return how many were sent."""
    now = now or timezone.now()
    week, start = iso_week(now)
    already = DigestDelivery.objects.filter(week=week).values("recipient_id")
    pending = (
        Notification.objects.filter(
            read_at__isnull=True,
            created_at__gte=start,
            created_at__lte=now,
            recipient__role=Role.CITIZEN,
            recipient__is_active=True,
            recipient__notify_by_email=True,
        )
        .exclude(recipient__email="")
        .exclude(recipient_id__in=already)
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_recipient: dict[int, list[Notification]] = defaultdict(list)
    recipients: dict[int, User] = {}
    for notification in pending:
        by_recipient[notification.recipient_id].append(notification)
        recipients[notification.recipient_id] = notification.recipient
    sent = 0
    for recipient_id, notifications in by_recipient.items():
        if _send_one(recipients[recipient_id], notifications, week):
            sent += 1
    return sent


def _send_one(recipient: User, notifications: list[Notification], week: str) -> bool:
    base = settings.CIVIQUEST_PUBLIC_URL
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(recipient=recipient, week=week, notification_count=len(notifications))
        except IntegrityError:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            count = len(notifications)
            subject = ngettext(
                "Votre semaine sur CiviQuest : %(count)d nouvelle",
                "Votre semaine sur CiviQuest : %(count)d nouvelles",
                count,
            ) % {"count": count}
            body = render_to_string(
                "emails/digest.txt",
                {
                    "recipient": recipient,
                    "items": [
                        {"notification": n, "link": f"{base}{n.url or reverse('citizen:dashboard')}"}
                        for n in notifications
                    ],
                    "settings_link": f"{base}{reverse('citizen:profile')}",
                },
            )
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient.email])
    return True


__all__ = ["iso_week", "weekly_digest_send", "_"]
