"""What the citizen is told of an appointment: in-app notification (kind APPOINTMENT) and an e-mail with a ``.ics``.

The notification is keyed (``appointment:<id>:<event>``), so an event is told once; its e-mail
goes after commit, with the calendar file attached, to citizens who accept e-mails, and is
stamped (``Notification.emailed_at``) under the row lock so a retry or a second run sends nothing.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.appointments import calendar
from civiquest.appointments.models import Appointment
from civiquest.appointments.selectors import reminders_due
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.notifications.services import email_wanted, notify

REMINDER_AHEAD = dt.timedelta(hours=48)
BOOKED = "booked"
REMINDER = "reminder-48h"


def what_to_bring() -> list[str]:
    """What a passport or identity-card appointment needs (service-public.fr's list, short)."""
    return [
        _("le numéro (ou le récapitulatif) de votre pré-demande ;"),
        _("une photo d’identité de moins de 6 mois, conforme aux normes ;"),
        _("un timbre fiscal si votre demande en demande un (passeport, carte perdue ou volée) ;"),
        _("votre ancien titre s’il en existe un, et un justificatif de domicile de moins d’un an."),
    ]


def confirmation_path(appointment: Appointment) -> str:
    return reverse("citizen:appointment-confirmation", args=[appointment.pk])


def description_of(appointment: Appointment) -> str:
    lines = [_("À apporter :"), *(f"- {item}" for item in what_to_bring())]
    lines += [
        "",
        _("Modifier ou annuler : %(url)s") % {"url": settings.CIVIQUEST_PUBLIC_URL + confirmation_path(appointment)},
    ]
    return "\n".join(lines)


def ics_text(appointment: Appointment, *, now: dt.datetime | None = None) -> str:
    domain = urlsplit(settings.CIVIQUEST_PUBLIC_URL).hostname or "civiquest"
    return calendar.ics_of(appointment, domain=domain, description=description_of(appointment), now=now)


def _notice(appointment: Appointment, *, event: str, title: str, key_is_new: bool = False) -> Notification:
    """Tell the citizen (once per appointment and event), then e-mail it with the .ics after commit."""
    body = _("%(when)s — %(place)s.") % {
        "when": calendar.when_label(appointment),
        "place": calendar.place_label(appointment),
    }
    notification = notify(
        recipient=appointment.citizen,
        kind=NotificationKind.APPOINTMENT,
        key=f"appointment:{appointment.pk}:{event}",
        title=title,
        body=body,
        url=confirmation_path(appointment),
        quest=appointment.quest,
        email=False,  # sent here, with the calendar file
        key_is_new=key_is_new,
    )
    if notification.emailed_at is None and email_wanted(recipient=appointment.citizen):
        from civiquest.appointments.tasks import appointment_email_send  # noqa: PLC0415 - tasks imports this module

        ids = (notification.pk, appointment.pk)
        transaction.on_commit(lambda: appointment_email_send.delay(*ids))
    return notification


def booked_notice(appointment: Appointment) -> Notification:
    """The booking (or the change) is confirmed: call it in the transaction that created the appointment
    (its key names that new row: written in one INSERT, no lookup)."""
    return _notice(appointment, event=BOOKED, title=_("Votre rendez-vous en mairie est confirmé"), key_is_new=True)


def reminder_notice(appointment: Appointment) -> Notification:
    return _notice(appointment, event=REMINDER, title=_("Rappel : votre rendez-vous en mairie dans 2 jours"))


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind every appointment starting within 48 h (idempotent: keyed per appointment). Returns how many."""
    now = now or timezone.now()
    count = 0
    for appointment in reminders_due(now=now, ahead=REMINDER_AHEAD):
        with transaction.atomic():
            reminder_notice(appointment)
        count += 1
    return count


def appointment_email_send(notification_id: int, appointment_id: int) -> bool:
    """E-mail the notification with the appointment's .ics, once (the row is locked and stamped)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        appointment = Appointment.objects.select_related("slot__meeting_point").filter(pk=appointment_id).first()
        if notification is None or appointment is None or notification.emailed_at is not None:
            return False
        recipient = notification.recipient
        if not email_wanted(recipient=recipient):
            return False
        context = {
            "notification": notification,
            "recipient": recipient,
            "link": f"{settings.CIVIQUEST_PUBLIC_URL}{notification.url}",
            "settings_link": f"{settings.CIVIQUEST_PUBLIC_URL}{reverse('citizen:profile')}",
            "bring": what_to_bring(),
        }
        message = EmailMessage(
            subject=notification.title,
            body=render_to_string("emails/appointment.txt", context),
            to=[recipient.email],
        )
        message.attach(calendar.ics_filename(appointment), ics_text(appointment), "text/calendar; charset=utf-8")
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
