"""The links a page shows lead to pages its reader may open (issue 20, point 6; the whole site is
crawled in tests/www/test_link_crawl.py): the thread with the service and the attestation on a
quest page, each portal's pages in the site map and the privacy policy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.actions.quests import quest_start, quest_step_complete
from civiquest.catalogue.models import Theme
from civiquest.quests.models import QuestState
from civiquest.quests.services import answers_save
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, published
from tests.instruction.helpers import submitted_quest
from tests.quests.fixtures import step
from tests.social.mandate_setup import grant

pytestmark = pytest.mark.django_db


def test_the_citizen_of_an_instructed_quest_has_the_thread(client, login_verified, passport):
    quest = submitted_quest(passport)
    login_verified(client, quest.citizen)
    messages = reverse("citizen:quest-messages", args=[quest.pk])
    assert messages in client.get(reverse("citizen:quest", args=[quest.pk])).content.decode()
    assert client.get(messages).status_code == 200


def test_a_completed_guided_quest_has_no_thread_to_link(client, login_verified, citizen, moving):
    quest = quest_start(citizen=citizen, procedure=moving)
    answers_save(quest=quest, step=step(quest, "situation"), data={"nouvelle_commune": "13055"})
    answers_save(quest=quest, step=step(quest, "teleservice"), data={"teleservice.reference": "20260042"})
    for slug in ("a-savoir", "situation", "teleservice"):
        quest_step_complete(quest=quest, step=step(quest, slug))
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED
    login_verified(client, citizen)
    content = client.get(reverse("citizen:quest", args=[quest.pk])).content.decode()
    assert reverse("citizen:quest-messages", args=[quest.pk]) not in content
    assert client.get(reverse("citizen:quest-messages", args=[quest.pk])).status_code == 404


def test_a_helper_under_mandate_is_not_shown_the_citizens_thread(client, login_verified, mairie):
    procedure, _revision = published(
        INSTRUCTED_STEPS, service=mairie, slug="titre-aide", title="Titre", theme=Theme.PAPERS
    )
    quest = submitted_quest(procedure)
    helper = CitizenFactory()
    grant(quest.citizen, helper, domains=("papiers",))
    login_verified(client, helper)
    response = client.get(reverse("citizen:quest", args=[quest.pk]))
    assert response.status_code == 200  # the mandate lets the helper open the quest
    content = response.content.decode()
    for name in ("citizen:quest-messages", "citizen:quest-attestation"):
        assert reverse(name, args=[quest.pk]) not in content
        assert client.get(reverse(name, args=[quest.pk])).status_code == 404


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (None, ["citizen:dashboard", "agent:home", "staff:home"], []),
        ("citizen", ["citizen:dashboard", "citizen:profile"], ["agent:home", "staff:home", "staff:agents"]),
        ("agent", ["agent:home"], ["citizen:dashboard", "citizen:profile", "staff:home"]),
        ("staff", ["staff:home", "staff:agents"], ["citizen:dashboard", "agent:home"]),
    ],
)
def test_the_site_map_lists_the_portals_its_reader_may_open(
    client, user_for_role, login_verified, role, shown, hidden
):
    if role is not None:
        login_verified(client, user_for_role(role))
    content = client.get(reverse("footer-sitemap")).content.decode()
    for name in shown:
        assert f'href="{reverse(name)}"' in content, name
    for name in hidden:
        assert f'href="{reverse(name)}"' not in content, name


@pytest.mark.parametrize(("role", "linked"), [(None, True), ("citizen", True), ("agent", False), ("staff", False)])
def test_the_privacy_policy_links_the_rights_pages_to_citizens(client, user_for_role, login_verified, role, linked):
    if role is not None:
        login_verified(client, user_for_role(role))
    content = client.get(reverse("footer-personal-data")).content.decode()
    assert (f'href="{reverse("citizen:privacy-export")}"' in content) is linked
    assert (f'href="{reverse("citizen:privacy-erase")}"' in content) is linked


def test_the_proconnect_page_shows_the_agent_menu_to_agents_only(client, login_verified, citizen, agent):
    login_verified(client, citizen)
    assert f'href="{reverse("agent:export")}"' not in client.get(reverse("oidc:proconnect")).content.decode()
    login_verified(client, agent)
    assert f'href="{reverse("agent:export")}"' in client.get(reverse("oidc:proconnect")).content.decode()
