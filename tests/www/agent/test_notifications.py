"""Agents have a notification centre too: the deadline warnings of the quests they instruct."""

import pytest
from django.urls import reverse

from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify, unread_count
from tests.accounts.factories import AgentFactory, CitizenFactory, login_verified

pytestmark = pytest.mark.django_db


def warn(agent, number: int = 1) -> None:
    notify(
        recipient=agent,
        kind=NotificationKind.DEADLINE,
        key=f"deadline:{number}:{agent.pk}",
        title=f"Dossier CQ-{number} à instruire avant le 1 décembre 2026",
        url=reverse("agent:home"),
    )


def test_an_agent_reads_their_deadline_warnings_and_they_are_then_seen(client):
    agent = AgentFactory()
    warn(agent)
    warn(AgentFactory(), 2)  # another agent's
    login_verified(client, agent)
    inbox = client.get(reverse("agent:home")).content.decode()
    assert "(1 non lue)" in inbox and reverse("agent:notifications") in inbox
    page = client.get(reverse("agent:notifications")).content.decode()
    assert "Dossier CQ-1 à instruire" in page and "Nouveau" in page
    assert "Dossier CQ-2" not in page
    assert unread_count(recipient=agent, include_game=False) == 0
    again = client.get(reverse("agent:notifications")).content.decode()
    assert "Nouveau" not in again and "non lue" not in again


def test_citizens_keep_their_own_centre(client):
    citizen = CitizenFactory()
    login_verified(client, citizen)
    assert client.get(reverse("agent:notifications")).status_code == 403


def test_the_agent_centre_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    agent = AgentFactory()
    for number in range(30):
        warn(agent, number)
    login_verified(client, agent)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("agent:notifications"))
    assert response.status_code == 200 and "Dossier CQ-29" in response.content.decode()
