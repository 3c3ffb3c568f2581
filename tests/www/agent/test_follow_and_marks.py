"""The inbox's "nouveau" badge and tab, the dossier's "Suivre" button, reading clears the mark."""

import pytest
from django.urls import reverse

from civiquest.accounts.models import ServiceRole
from civiquest.instruction import marks
from civiquest.instruction.models import QuestChangeKind, QuestFollow, QuestMark
from civiquest.quests.models import Quest
from tests.catalogue.factories import ServiceFactory, member_of
from tests.instruction.helpers import submitted_quest


@pytest.fixture
def quest(passport, instructor):
    quest = submitted_quest(passport)
    Quest.objects.filter(pk=quest.pk).update(assignee=instructor)
    quest.refresh_from_db()
    return quest


@pytest.fixture
def agent_client(client, instructor, login_verified):
    login_verified(client, instructor)
    return client


def test_the_inbox_shows_the_new_badge_and_tab_and_reading_clears_it(agent_client, quest, instructor):
    other = submitted_quest(quest.procedure)
    marks.quest_changed(quest=quest, kind=QuestChangeKind.MESSAGE, actor=quest.citizen)
    page = agent_client.get(reverse("agent:home")).content.decode()
    assert "fr-badge--new" in page and "Nouveaux" in page
    tab = agent_client.get(reverse("agent:home") + "?etat=all&nouveaux=1").content.decode()
    assert quest.reference in tab and other.reference not in tab
    assert agent_client.get(reverse("agent:quest", args=[quest.pk])).status_code == 200
    assert not QuestMark.objects.filter(agent=instructor, quest=quest).exists()
    assert "fr-badge--new" not in agent_client.get(reverse("agent:home")).content.decode()
    # Reading again is harmless.
    assert agent_client.get(reverse("agent:quest", args=[quest.pk])).status_code == 200


def test_follow_and_unfollow_from_the_dossier_page(agent_client, quest, instructor):
    url = reverse("agent:quest-follow", args=[quest.pk])
    assert "Suivre" in agent_client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    response = agent_client.post(url, {"suivre": "1"})
    assert response.status_code == 302
    assert QuestFollow.objects.filter(agent=instructor, quest=quest).exists()
    assert "Ne plus suivre" in agent_client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    agent_client.post(url, {"suivre": "0"})
    assert not QuestFollow.objects.filter(agent=instructor, quest=quest).exists()
    # POST only.
    assert agent_client.get(url).status_code == 405


def test_another_services_agent_cannot_follow_the_quest(client, login_verified, quest):
    outsider = member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.MANAGER)
    login_verified(client, outsider)
    response = client.post(reverse("agent:quest-follow", args=[quest.pk]), {"suivre": "1"})
    assert response.status_code == 404
    assert not QuestFollow.objects.exists()
    assert reverse("agent:quest", args=[quest.pk]) not in client.get(reverse("agent:home")).content.decode()
