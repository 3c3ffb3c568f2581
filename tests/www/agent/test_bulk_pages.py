"""The inbox's bulk actions through the pages (issue 21, point 6): one summary after the action."""

import pytest
from django.urls import reverse

from civiquest.accounts.models import ServiceRole
from civiquest.actions import instruction as decisions
from civiquest.instruction.models import QuestFollow
from civiquest.quests.models import Quest, QuestState
from tests.catalogue.factories import ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest
from tests.instruction.test_inbox import many_quests
from tests.www.agent.test_agent_pages import agent_client  # noqa: F401 - the fixture

S = QuestState


def _post(client, **data):
    return client.post(reverse("agent:bulk"), data, follow=True)


def test_archiving_shows_one_summary_of_what_was_done_and_refused(agent_client, passport, instructor):  # noqa: F811
    accepted, rejected, open_one = (submitted_quest(passport) for _ in range(3))
    decisions.quest_accept(quest=accepted, actor=instructor)
    decisions.quest_reject(quest=rejected, actor=instructor, motivation="Non")
    response = agent_client.post(
        reverse("agent:bulk"),
        {"action": "archive", "quests": [accepted.pk, rejected.pk, open_one.pk], "query": "etat=accepted"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agent:home") + "?etat=accepted#bilan-action"
    page = agent_client.get(response["Location"]).content.decode()
    assert "Bilan de l’action « Archiver (dossiers terminés) »" in page
    assert 'id="bilan-action"' in page and 'role="status"' in page
    assert "2 dossiers traités :" in page and "1 dossier refusé :" in page
    for quest in (accepted, rejected, open_one):
        assert f'href="{reverse("agent:quest", args=[quest.pk])}">{quest.reference}</a>' in page
    assert "Seul un dossier accepté, refusé ou classé sans suite peut être archivé" in page
    # Shown once: the inbox again has no summary, and the archived quests are in their tab.
    page = agent_client.get(reverse("agent:home"), {"etat": "accepted"}).content.decode()
    assert "Bilan de l’action" not in page and accepted.reference not in page
    assert "Archivés (2)" in page
    archived = agent_client.get(reverse("agent:home"), {"etat": "archived"}).content.decode()
    assert accepted.reference in archived and rejected.reference in archived and open_one.reference not in archived
    # Again: already done.
    page = _post(agent_client, action="archive", quests=[accepted.pk]).content.decode()
    assert "1 dossier déjà à jour (déjà fait) :" in page


def test_assign_to_a_colleague_needs_one_of_the_service(agent_client, passport, mairie):  # noqa: F811
    quest = submitted_quest(passport)
    page = _post(agent_client, action="assign_to", quests=[quest.pk]).content.decode()
    assert "Choisissez l’agent à qui attribuer les dossiers." in page
    stranger = member_of(ServiceFactory(), ServiceRole.INSTRUCTOR)
    page = _post(agent_client, action="assign_to", quests=[quest.pk], assignee=stranger.pk).content.decode()
    assert "Choisissez l’agent à qui attribuer les dossiers." in page
    colleague = member_of(mairie, ServiceRole.INSTRUCTOR, first_name="Kaloni", last_name="Wéa")
    inbox_page = agent_client.get(reverse("agent:home")).content.decode()
    assert f'<option value="{colleague.pk}">Kaloni Wéa</option>' in inbox_page
    page = _post(agent_client, action="assign_to", quests=[quest.pk], assignee=colleague.pk).content.decode()
    assert "1 dossier traité :" in page
    assert Quest.objects.get(pk=quest.pk).assignee == colleague


def test_accept_refuses_what_misses_something_and_names_it(agent_client, passport, instructor):  # noqa: F811
    ready, incomplete = submitted_quest(passport), submitted_quest(passport)
    incomplete.answers.filter(field_name="nom").delete()
    page = _post(agent_client, action="accept", quests=[ready.pk, incomplete.pk]).content.decode()
    assert "1 dossier traité :" in page and "1 dossier refusé :" in page
    assert "Il manque la réponse « Nom » : le dossier ne peut pas être accepté." in page
    assert Quest.objects.get(pk=incomplete.pk).state == S.SUBMITTED


def test_a_quest_of_another_service_is_not_found_and_not_named(agent_client, passport, instructor):  # noqa: F811
    elsewhere, _revision = published([{"slug": "a", "title": "A", "kind": "info"}], service=ServiceFactory())
    (foreign,) = many_quests(elsewhere, 1)
    mine = submitted_quest(passport)
    page = _post(agent_client, action="follow", quests=[foreign.pk, mine.pk]).content.decode()
    assert f"Dossier n° {foreign.pk}" in page and "Dossier introuvable." in page
    assert foreign.reference not in page
    assert not QuestFollow.objects.filter(quest=foreign).exists()
    assert QuestFollow.objects.filter(quest=mine, agent=instructor).exists()


def test_the_form_needs_an_action_and_a_quest(agent_client, passport):  # noqa: F811
    quest = submitted_quest(passport)
    assert "Choisissez une action." in _post(agent_client, action="", quests=[quest.pk]).content.decode()
    assert "Cochez au moins un dossier." in _post(agent_client, action="follow").content.decode()
    assert "Choisissez une étiquette." in _post(agent_client, action="label", quests=[quest.pk]).content.decode()


@pytest.mark.parametrize("who", ["citizen", "staff"])
def test_citizens_and_staff_may_not_act_in_bulk(request, client, login_verified, passport, who):
    quest = submitted_quest(passport)
    login_verified(client, request.getfixturevalue(who))
    response = client.post(reverse("agent:bulk"), {"action": "follow", "quests": [quest.pk]})
    assert response.status_code == 403
    assert not QuestFollow.objects.exists()


def test_signed_out_goes_to_sign_in(client, passport):
    quest = submitted_quest(passport)
    response = client.post(reverse("agent:bulk"), {"action": "follow", "quests": [quest.pk]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not QuestFollow.objects.exists()
