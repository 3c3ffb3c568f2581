"""Reminders 7 days and 1 day before a recommendation's deadline: once each, never once done."""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.catalogue.models import Procedure
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.recommendations import services
from civiquest.recommendations.models import FeedbackKind, LifeEvent
from civiquest.recommendations.notices import deadlines_notify, notice_due
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db

MOVED = dt.date(2026, 9, 10)  # the grey card's deadline: 10 October 2026


def reminders():
    return list(
        Notification.objects.filter(kind=NotificationKind.RECOMMENDATION)
        .order_by("pk")
        .values_list("title", flat=True)
    )


@pytest.mark.parametrize(
    ("days_left", "notice"), [(8, None), (7, "j-7"), (2, "j-7"), (1, "j-1"), (0, "j-1"), (-1, None)]
)
def test_which_notice_is_due(days_left, notice):
    today = dt.date(2026, 3, 1)
    assert notice_due(today + dt.timedelta(days=days_left), today) == notice
    assert notice_due(None, today) is None


def test_the_j7_reminder_is_sent_once_then_the_j1(rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    LifeEvent.objects.create(citizen=citizen, code="demenagement", occurred_on=MOVED)

    assert deadlines_notify(today=dt.date(2026, 10, 2)) == 0
    deadlines_notify(today=dt.date(2026, 10, 3))
    deadlines_notify(today=dt.date(2026, 10, 3))
    deadlines_notify(today=dt.date(2026, 10, 5))
    assert reminders() == ["À faire avant le 10 octobre 2026 : Changer l’adresse de sa carte grise"]

    deadlines_notify(today=dt.date(2026, 10, 9))
    deadlines_notify(today=dt.date(2026, 10, 9))
    assert reminders()[1:] == ["Demain, dernier jour : Changer l’adresse de sa carte grise"]
    notification = Notification.objects.filter(kind=NotificationKind.RECOMMENDATION).order_by("pk").first()
    assert notification.recipient == citizen
    assert notification.url == "/demarches/carte-grise-changement-adresse/"
    assert "dans le mois qui suit le déménagement" in notification.body


def test_nothing_is_sent_for_what_is_done_or_dismissed(rules):
    done, dismissed = CitizenFactory(), CitizenFactory()
    for citizen in (done, dismissed):
        LifeEvent.objects.create(citizen=citizen, code="demenagement", occurred_on=MOVED)
    grey_card = Procedure.objects.get(slug="carte-grise-changement-adresse")
    services.feedback_give(citizen=done, procedure=grey_card, kind=FeedbackKind.DONE_ELSEWHERE, today=MOVED)
    services.feedback_give(citizen=dismissed, procedure=grey_card, kind=FeedbackKind.DISMISSED, today=MOVED)

    deadlines_notify(today=dt.date(2026, 10, 3))
    deadlines_notify(today=dt.date(2026, 10, 9))

    assert reminders() == []


def test_a_passport_issued_by_a_quest_ten_years_ago_is_reminded_before_it_expires(rules):
    from civiquest.actions.quests import quest_start  # noqa: PLC0415 - only here
    from civiquest.quests.models import Quest, QuestState  # noqa: PLC0415 - only here

    today = dt.date(2026, 10, 5)
    citizen = CitizenFactory(birthdate=dt.date(1980, 1, 1))
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))
    # Decided on 10 October 2016: an adult's passport then expires on 9 October 2026, in 4 days.
    decided = dt.datetime(2016, 10, 10, 10, tzinfo=dt.UTC)
    Quest.objects.filter(pk=quest.pk).update(state=QuestState.ACCEPTED, decided_at=decided)

    deadlines_notify(today=today)

    assert reminders() == ["À faire avant le 9 octobre 2026 : Demander ou renouveler un passeport"]


def test_a_wallet_title_is_reminded_from_its_issue_date_and_one_far_from_expiry_is_not(rules):
    from civiquest.documents.models import Document, DocumentType  # noqa: PLC0415 - only here

    today = dt.date(2026, 10, 5)
    soon, later = CitizenFactory(birthdate=dt.date(1980, 1, 1)), CitizenFactory(birthdate=dt.date(1980, 1, 1))
    # An adult's passport issued 8 October 2016 is valid 10 years: until 7 October 2026.
    Document.objects.create(
        owner=soon, type=DocumentType.PASSPORT, issued_on=dt.date(2016, 10, 8), size=1, sha256="0" * 64
    )
    Document.objects.create(
        owner=later, type=DocumentType.IDENTITY_CARD, issued_on=dt.date(2020, 1, 1), size=1, sha256="0" * 64
    )

    deadlines_notify(today=today)

    assert list(
        Notification.objects.filter(kind=NotificationKind.RECOMMENDATION).values_list("recipient_id", "title")
    ) == [(soon.pk, "À faire avant le 7 octobre 2026 : Demander ou renouveler un passeport")]
