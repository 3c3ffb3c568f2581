"""Notifications: written with the event they tell about, emailed once after it commits.

A notification's ``key`` names its event (``quest-transition:42``), so telling the same
event twice — a retried task, a replayed signal — keeps one notification and one email.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.notifications.models import Notification, NotificationKind

logger = logging.getLogger(__name__)

# The unread count is dropped from the cache whenever it changes; this only bounds a stale read.
UNREAD_CACHE_SECONDS = 300
# News of the game (levels, badges): hidden, like every game element, in "mode sobre".
GAME_KINDS = frozenset({NotificationKind.LEVEL_UP, NotificationKind.BADGE})
# The kind of the habit reminders the citizen asked for (``progress.habits.services.REMINDER_KIND``).
HABIT_REMINDER_KIND = "habit_reminder"
# What the citizen's own progress tells them (the game, habits): never a message of a service.
# The notification centre shows it apart, below; the header's counter leaves it out.
NEWS_KINDS = GAME_KINDS | {HABIT_REMINDER_KIND}


class Section:
    """A part of the notification centre: None for every notification."""

    SERVICE = "service"  # what the services tell about the citizen's procedures and rights
    NEWS = "news"  # the game's news and habit reminders (``NEWS_KINDS``)


def notify(
    *,
    recipient: User,
    kind: NotificationKind | str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    quest: Any = None,
    email: bool = True,
    key_is_new: bool = False,
    likely_new: bool = False,
) -> Notification:
    """Write the notification for the event ``key`` unless it exists; email it after commit.

    ``quest`` (a ``quests.Quest``) links it to the quest it tells about. ``email=False``: the
    sender declines the e-mail (the game's news, which a citizen receives by e-mail only if
    they asked for it). ``key_is_new``: the key names a row the caller wrote in this very
    transaction (a new transition's id), so no notification can hold it yet, not even a
    concurrent one: it is written without looking for one and without a savepoint.
    ``likely_new``: the event happens once (a level reached under its row's lock), so the row
    is written first and looked up only if the key turns out to exist.
    """
    if key_is_new:
        notification = Notification.objects.create(
            recipient=recipient, kind=kind, key=key, title=title, body=body, url=url, quest=quest
        )
    else:
        existing = None if likely_new else Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient, kind=kind, key=key, title=title, body=body, url=url, quest=quest
                )
        except IntegrityError:
            # Another worker told the same event first.
            return Notification.objects.get(key=key)
    _unread_changed(recipient.pk)
    if email and email_wanted(recipient=recipient):
        from civiquest.notifications.tasks import notification_email_send  # noqa: PLC0415 - notifications.tasks imports this module

        notification_id = notification.pk
        transaction.on_commit(lambda: notification_email_send.delay(notification_id))
    return notification


@dataclass(frozen=True)
class News:
    """One notification of a batch (see ``notify_many``)."""

    key: str
    title: str
    body: str = ""
    url: str = ""


def notify_many(*, recipient: User, kind: NotificationKind | str, news: Sequence[News], email: bool = True) -> int:
    """Write several notifications of one kind in one statement; a key already told is skipped.

    For events told together (the badges one action wins). Returns how many were asked; the
    e-mails of the new ones are queued after commit, as ``notify`` does.
    """
    if not news:
        return 0
    Notification.objects.bulk_create(
        [
            Notification(recipient=recipient, kind=kind, key=item.key, title=item.title, body=item.body, url=item.url)
            for item in news
        ],
        ignore_conflicts=True,
    )
    _unread_changed(recipient.pk)
    if email and email_wanted(recipient=recipient):
        from civiquest.notifications.tasks import notification_email_send  # noqa: PLC0415 - notifications.tasks imports this module

        ids = list(
            Notification.objects.filter(key__in=[item.key for item in news], emailed_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        transaction.on_commit(lambda: [notification_email_send.delay(pk) for pk in ids])
    return len(news)


def email_wanted(*, recipient: User) -> bool:
    """Email only with the citizen's contact preference (``notify_by_email``) and an address."""
    return bool(recipient.notify_by_email and recipient.email)


def notification_email_send(notification_id: int) -> bool:
    """Email a notification once: the row is locked and stamped, so a retry sends nothing more."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        recipient = notification.recipient
        if not email_wanted(recipient=recipient):
            return False
        context: dict[str, Any] = {
            "notification": notification,
            "recipient": recipient,
            "link": f"{settings.CIVIQUEST_PUBLIC_URL}{notification.url}" if notification.url else "",
            "settings_link": f"{settings.CIVIQUEST_PUBLIC_URL}{reverse('citizen:profile')}",
        }
        send_mail(
            subject=notification.title,
            message=render_to_string("emails/notification.txt", context),
            from_email=None,
            recipient_list=[recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


# --- Selectors and reading ---------------------------------------------------------------------


def notifications_of(
    *, recipient: User, include_game: bool = True, section: str | None = None
) -> QuerySet[Notification]:
    """The recipient's notifications, latest first: all of them, or one ``Section``'s."""
    notifications = Notification.objects.filter(recipient=recipient)
    if not include_game:
        notifications = notifications.exclude(kind__in=GAME_KINDS)
    if section == Section.SERVICE:
        notifications = notifications.exclude(kind__in=NEWS_KINDS)
    elif section == Section.NEWS:
        notifications = notifications.filter(kind__in=NEWS_KINDS)
    return notifications.order_by("-created_at", "-pk")


_UNREAD_VARIANTS = ("all", "sober", Section.SERVICE)


def _unread_keys(recipient_id: int) -> list[str]:
    return [f"notifications:unread:{recipient_id}:{variant}" for variant in _UNREAD_VARIANTS]


def unread_count(*, recipient: User, include_game: bool = True, section: str | None = None) -> int:
    """How many notifications the recipient has not seen; cached, since every page of theirs shows it.

    ``section=Section.SERVICE`` counts the services' messages only (the header's counter).
    """
    variant = Section.SERVICE if section == Section.SERVICE else ("all" if include_game else "sober")
    key = _unread_keys(recipient.pk)[_UNREAD_VARIANTS.index(variant)]
    count = cache.get(key)
    if count is None:
        shown = notifications_of(
            recipient=recipient,
            include_game=include_game,
            section=Section.SERVICE if variant == Section.SERVICE else None,
        )
        count = shown.filter(read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return int(count)


def _unread_changed(recipient_id: int) -> None:
    # Now, for the rest of this request, and after commit, for a read made meanwhile by another one.
    cache.delete_many(_unread_keys(recipient_id))
    transaction.on_commit(lambda: cache.delete_many(_unread_keys(recipient_id)))


def notifications_mark_read(*, recipient: User, notification_ids: list[int] | None = None) -> int:
    """Mark the given notifications (or all) of the recipient as read; idempotent, returns how many changed."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    changed = unread.update(read_at=timezone.now())
    if changed:
        _unread_changed(recipient.pk)
    return changed
