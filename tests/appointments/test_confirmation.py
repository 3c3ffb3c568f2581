"""After booking: the confirmation page, the .ics, the e-mail, the appointment shown everywhere, cancel, reminders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from civiquest.actions.appointments import quest_appointment_book
from civiquest.appointments import notices
from civiquest.appointments.models import Appointment, AppointmentStatus, CoordinationStatus
from civiquest.notifications.models import Notification, NotificationKind
from tests.accounts.factories import CitizenFactory
from tests.integrations.ants.helpers import future_slot, passport_quest, point

pytestmark = pytest.mark.django_db

FRENCH_WHEN = re.compile(
    r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} "
    r"(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4} à 9 h 30",
    re.IGNORECASE,  # "Mardi 8 décembre…" where it starts a line
)

# "Mes démarches" with its appointments: the same whatever their number (one query for all);
# 2 more for where each quest is ("Étape 2 sur 6 : …": their answers and done steps, quests.journey).
QUESTS_PAGE_QUERIES = 7


def _book(citizen, *, days: int = 3, number: str = "AB12CD34EF") -> Appointment:
    quest = passport_quest(citizen, number=number)
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580), days=days, hour=9, minute=30)
    return quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": number})


def parse_ics(text: str) -> dict[str, str]:
    """Unfold (RFC 5545 §3.1) and read the VEVENT's properties; checks CRLF endings and 75-octet lines."""
    assert text.endswith("\r\n")
    raw_lines = text.split("\r\n")[:-1]
    assert all("\n" not in line and len(line.encode()) <= 75 for line in raw_lines)
    unfolded: list[str] = []
    for line in raw_lines:
        if line.startswith(" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
    start, end = unfolded.index("BEGIN:VEVENT"), unfolded.index("END:VEVENT")
    return dict(line.split(":", 1) for line in unfolded[start + 1 : end])


def test_booking_redirects_to_a_confirmation_page_in_french(ants_api, catalogue, client, citizen):
    quest = passport_quest(citizen)
    slot = future_slot(
        point("Mairie de Nouméa", -22.2758, 166.4580, public_entry_address="2 rue Higginson"), hour=9, minute=30
    )
    client.force_login(citizen)
    response = client.post(reverse("citizen:appointment-quest-book", args=[quest.pk]), {"slot": slot.pk})
    appointment = Appointment.objects.get()
    url = reverse("citizen:appointment-confirmation", args=[appointment.pk])
    assert response.url == url
    content = client.get(url).content.decode()
    assert "Votre rendez-vous est confirmé" in content
    assert "Mairie de Nouméa" in content and "2 rue Higginson" in content
    assert FRENCH_WHEN.search(content), "the date is written the French way"
    assert "photo d’identité" in content  # what to bring
    assert reverse("citizen:appointment-ics", args=[appointment.pk]) in content
    assert reverse("citizen:appointment-cancel-confirm", args=[appointment.pk]) in content
    assert reverse("citizen:quest-step", args=[quest.pk, "rendez-vous"]) in content  # change
    # Someone else's appointment is not found.
    client.force_login(CitizenFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("citizen:appointment-ics", args=[appointment.pk])).status_code == 404


def test_the_ics_is_rfc5545_and_in_utc(ants_api, catalogue, client, citizen):
    appointment = _book(citizen)
    client.force_login(citizen)
    response = client.get(reverse("citizen:appointment-ics", args=[appointment.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event = parse_ics(response.content.decode())
    starts = appointment.slot.starts_at.astimezone(dt.UTC)
    assert event["DTSTART"] == starts.strftime("%Y%m%dT%H%M%SZ")
    ends = starts + dt.timedelta(minutes=appointment.slot.duration_minutes)
    assert event["DTEND"] == ends.strftime("%Y%m%dT%H%M%SZ")
    assert event["UID"].startswith(f"appointment-{appointment.pk}@")
    assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
    assert "Passeport" in event["SUMMARY"]
    assert event["LOCATION"].startswith("Mairie de Nouméa\\,")
    assert "photo d’identité" in event["DESCRIPTION"] and "\\n" in event["DESCRIPTION"]


def test_booking_notifies_in_app_and_emails_the_ics_once(ants_api, catalogue, citizen):
    appointment = _book(citizen)
    notification = Notification.objects.get(recipient=citizen, kind=NotificationKind.APPOINTMENT)
    assert notification.url == reverse("citizen:appointment-confirmation", args=[appointment.pk])
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [citizen.email]
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    assert parse_ics(content)["UID"].startswith(f"appointment-{appointment.pk}@")
    # The e-mail task run again (a retry): nothing more.
    assert notices.appointment_email_send(notification.pk, appointment.pk) is False
    assert len(mail.outbox) == 1


def test_no_email_to_a_citizen_who_declines_them(ants_api, catalogue):
    citizen = CitizenFactory(notify_by_email=False)
    _book(citizen)
    assert Notification.objects.filter(recipient=citizen, kind=NotificationKind.APPOINTMENT).exists()
    assert mail.outbox == []


def test_the_appointment_is_shown_on_quest_list_and_dashboard(
    ants_api, catalogue, client, citizen, django_assert_max_num_queries
):
    appointment = _book(citizen)
    client.force_login(citizen)
    confirmation = reverse("citizen:appointment-confirmation", args=[appointment.pk])
    quest_page = client.get(reverse("citizen:quest", args=[appointment.quest_id])).content.decode()
    assert "Votre rendez-vous en mairie" in quest_page and confirmation in quest_page
    assert FRENCH_WHEN.search(quest_page)
    quests_page = client.get(reverse("citizen:quests")).content.decode()
    assert FRENCH_WHEN.search(quests_page) and "Mairie de Nouméa" in quests_page
    dashboard = client.get(reverse("citizen:dashboard")).content.decode()
    assert "Vos rendez-vous" in dashboard and confirmation in dashboard
    # More appointments (other quests) cost no more queries on "Mes démarches".
    client.get(reverse("citizen:quests"))
    with django_assert_max_num_queries(QUESTS_PAGE_QUERIES):
        client.get(reverse("citizen:quests"))
    for days, number in ((4, "AB12CD34E4"), (5, "AB12CD34E5")):
        _book(citizen, days=days, number=number)
    client.get(reverse("citizen:quests"))  # the unread count, changed by the new notifications, cached again
    with django_assert_max_num_queries(QUESTS_PAGE_QUERIES):
        client.get(reverse("citizen:quests"))
    # Cancelled: gone from the dashboard.
    for booked in Appointment.objects.filter(status=AppointmentStatus.BOOKED):
        booked.status = AppointmentStatus.CANCELLED
        booked.save()
    assert "Vos rendez-vous" not in client.get(reverse("citizen:dashboard")).content.decode()


def test_cancel_asks_first_then_frees_the_slot_and_tells_ants(ants_api, catalogue, client, citizen):
    appointment = _book(citizen)
    client.force_login(citizen)
    url = reverse("citizen:appointment-cancel-confirm", args=[appointment.pk])
    page = client.get(url).content.decode()
    assert "Confirmer l’annulation" in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED  # GET changes nothing
    response = client.post(url)
    assert response.url == reverse("citizen:appointment-confirmation", args=[appointment.pk])
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.coordination_status == CoordinationStatus.DELETED
    assert not appointment.applications.filter(live=True).exists()
    # Twice: harmless.
    assert client.post(url).status_code == 302
    assert "Ce rendez-vous est annulé" in client.get(response.url).content.decode()
    # Someone else cannot cancel it.
    client.force_login(CitizenFactory())
    assert client.post(url).status_code == 404


def test_changing_releases_the_old_slot(ants_api, catalogue, client, citizen):
    appointment = _book(citizen)
    new_slot = future_slot(appointment.slot.meeting_point, days=5, hour=10)
    client.force_login(citizen)
    response = client.post(
        reverse("citizen:appointment-quest-book", args=[appointment.quest_id]), {"slot": new_slot.pk}
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.coordination_status == CoordinationStatus.DELETED
    new = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert new.slot == new_slot and response.url == reverse("citizen:appointment-confirmation", args=[new.pk])


def test_reminders_48h_before_are_sent_once(ants_api, catalogue, citizen):
    soon = _book(citizen, days=1)
    later = _book(CitizenFactory(), days=6, number="AB12CD34E6")
    mail.outbox.clear()
    call_command("appointments_remind")
    call_command("appointments_remind")
    reminders = Notification.objects.filter(key__endswith=f":{notices.REMINDER}")
    assert [n.key for n in reminders] == [f"appointment:{soon.pk}:{notices.REMINDER}"]
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments
    assert not Notification.objects.filter(key=f"appointment:{later.pk}:{notices.REMINDER}").exists()


def test_the_reminders_are_a_beat_job(ants_api, catalogue, citizen, settings):
    from civiquest.appointments.tasks import appointments_remind  # noqa: PLC0415 - the task under test

    assert settings.CELERY_BEAT_SCHEDULE["passport-appointments-remind"]["task"] == appointments_remind.name
    soon = _book(citizen, days=1)
    assert appointments_remind.delay().get() == 1
    appointments_remind.delay().get()
    assert Notification.objects.filter(key=f"appointment:{soon.pk}:{notices.REMINDER}").count() == 1


def test_an_appointment_booked_after_the_pages_were_cached_shows_at_once(ants_api, catalogue, client, citizen):
    """Pages read "no appointment" from the citizen's cache (``has_booked_appointment``): a booking draws a new one."""
    from civiquest.appointments.selectors import has_booked_appointment

    quest = passport_quest(citizen)
    client.force_login(citizen)
    pages = (reverse("citizen:quests"), reverse("citizen:dashboard"), reverse("citizen:quest", args=[quest.pk]))
    for url in pages:
        assert "Mairie de Nouméa" not in client.get(url).content.decode()
    assert not has_booked_appointment(citizen.pk)
    slot = future_slot(point("Mairie de Nouméa", -22.2758, 166.4580), days=3, hour=9, minute=30)
    quest_appointment_book(quest=quest, slot_id=slot.pk, answers={"pre-demande.reference": "AB12CD34EF"})
    assert has_booked_appointment(citizen.pk)
    for url in pages:
        assert "Mairie de Nouméa" in client.get(url).content.decode()
