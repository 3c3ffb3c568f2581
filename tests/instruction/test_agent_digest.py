"""The agents' daily digest of the quests new for them: opt-in, once a day, the right quests."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from civiquest.actions.instruction import agent_digest_set
from civiquest.instruction import digest, marks
from civiquest.instruction.models import AgentDigest, QuestChangeKind
from civiquest.quests.models import Quest
from tests.instruction.helpers import Clock, submitted_quest

MORNING = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, MORNING)


def assigned(passport, agent):
    quest = submitted_quest(passport)
    Quest.objects.filter(pk=quest.pk).update(assignee=agent)
    quest.refresh_from_db()
    return quest


def test_the_digest_goes_once_a_day_to_the_agents_who_asked_with_the_new_quests(clock, passport, instructor, manager):
    agent_digest_set(agent=instructor, wanted=True)
    first, opened, later = (assigned(passport, instructor) for _ in range(3))
    unwanted = assigned(passport, manager)  # the manager never asked for the digest
    for quest in (first, opened, unwanted):
        marks.quest_changed(quest=quest, kind=QuestChangeKind.MESSAGE, actor=quest.citizen)
    marks.mark_clear(agent=instructor, quest=opened)
    mail.outbox.clear()
    clock.advance(hours=1)
    assert digest.agent_digests_send() == 1
    [email] = mail.outbox
    assert email.to == [instructor.email]
    assert first.reference in email.body and opened.reference not in email.body
    assert later.reference not in email.body and unwanted.reference not in email.body
    # Once a day, whoever runs it (beat or the command).
    clock.advance(minutes=1)
    marks.quest_changed(quest=later, kind=QuestChangeKind.DOCUMENT, actor=later.citizen)
    clock.advance(hours=1)
    assert digest.agent_digests_send() == 0
    call_command("agent_digests_send", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    # The next day: only what changed since the last digest.
    clock.advance(days=1)
    assert digest.agent_digests_send() == 1
    body = mail.outbox[-1].body
    assert later.reference in body and first.reference not in body
    assert reverse("agent:quest", args=[later.pk]) in body


def test_nothing_new_sends_nothing(clock, instructor):
    agent_digest_set(agent=instructor, wanted=True)
    assert digest.agent_digests_send() == 0
    assert mail.outbox == []


def test_the_agent_sets_the_digest_on_the_notifications_page(client, login_verified, instructor):
    login_verified(client, instructor)
    page = client.get(reverse("agent:notifications")).content.decode()
    assert "Recevoir le résumé quotidien" in page
    assert client.post(reverse("agent:notifications-digest"), {"resume": "1"}).status_code == 302
    assert AgentDigest.objects.filter(agent=instructor).exists()
    assert "Ne plus recevoir le résumé quotidien" in client.get(reverse("agent:notifications")).content.decode()
    client.post(reverse("agent:notifications-digest"), {"resume": "0"})
    assert not AgentDigest.objects.exists()
