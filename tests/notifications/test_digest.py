"""The weekly digest: one email per opted-in citizen with unread notifications of the week, once per ISO week."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from civiquest.notifications.digest import iso_week, weekly_digest_send
from civiquest.notifications.models import DigestDelivery, Notification, NotificationKind
from civiquest.notifications.services import notify
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def note(user, key, url="/mes-demarches/"):
    notification = notify(recipient=user, kind=NotificationKind.QUEST_STATE, key=key, title=f"Titre {key}", url=url)
    return notification


def test_iso_week_in_paris():
    # Sunday 23:30 UTC is already Monday in Paris: the next ISO week.
    week, start = iso_week(dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC))
    assert week == "2026-W49" and start.isoformat() == "2026-11-30T00:00:00+01:00"


def test_one_digest_per_opted_in_citizen_per_week(settings):
    settings.CIVIQUEST_PUBLIC_URL = "https://civiquest.example"
    opted_in, opted_out, all_read = CitizenFactory(), CitizenFactory(notify_by_email=False), CitizenFactory()
    note(opted_in, "a")
    note(opted_in, "b", url="")
    note(opted_out, "c")
    Notification.objects.filter(pk=note(all_read, "d").pk).update(read_at=timezone.now())
    mail.outbox.clear()
    assert weekly_digest_send() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [opted_in.email]
    assert "2 nouvelles" in message.subject
    assert "https://civiquest.example/mes-demarches/" in message.body  # each links to where to act
    assert "https://civiquest.example/mon-espace/" in message.body
    for word in ("manqué", "oublié", "dommage", "perdu"):
        assert word not in message.body.lower()
    # Twice in the week, by hand and by beat: nothing more.
    call_command("notifications_weekly_digest")
    assert weekly_digest_send() == 0 and len(mail.outbox) == 1
    assert DigestDelivery.objects.filter(recipient=opted_in).count() == 1


def test_last_weeks_notifications_are_not_in_this_weeks_digest(citizen):
    old = note(citizen, "old")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    mail.outbox.clear()
    assert weekly_digest_send() == 0 and mail.outbox == []


def test_a_failed_send_is_sent_at_the_next_run(citizen, settings):
    note(citizen, "x")
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.notifications.test_digest.FailingBackend"
    with pytest.raises(OSError):
        weekly_digest_send()
    assert not DigestDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert weekly_digest_send() == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")
