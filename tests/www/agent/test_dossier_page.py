"""The agent's dossier page: a summary on top, corrections per answer with their comments, the diff,
decisions confirmed before they apply; and the citizen's step page during a correction."""

import pytest
from django.test import Client
from django.urls import reverse

from civiquest.actions import instruction as decisions
from civiquest.instruction.models import ChangeRequest
from civiquest.quests.models import Answer, QuestState
from tests.instruction.helpers import submitted_quest

S = QuestState


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


@pytest.fixture
def agent_client(client, instructor, login_verified):
    login_verified(client, instructor)
    return client


@pytest.fixture
def citizen_client(quest, login_verified):
    client = Client()
    login_verified(client, quest.citizen)
    return client


def test_the_page_opens_with_a_summary_and_a_table_of_contents_then_the_decisions_last(agent_client, quest):
    html = agent_client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    summary = html.index("En bref")
    assert summary < html.index("Sommaire") < html.index('id="reponses"') < html.index('id="instruire"')
    assert "Prendre le dossier et le passer en instruction." in html
    assert "Aucun rendez-vous pris" in html
    # Each decision is a disclosure with its own confirmation; none is open until chosen.
    assert html.count('<details class="cq-decision">') >= 4
    assert html.count('name="confirme"') == 3  # accept, reject, close
    # Only what applies to this quest may be pointed at: no loss declaration on a first request.
    assert 'name="fix:nom"' in html and 'name="fix:step:identite"' in html
    assert 'name="fix:motif"' not in html and "fix:step:perte" not in html


def test_a_decision_without_its_confirmation_is_refused_and_nothing_changes(agent_client, quest):
    url = reverse("agent:quest-action", args=[quest.pk])
    refused = agent_client.post(url, {"action": "accept"})
    assert refused.status_code == 400
    assert "Cochez la case de confirmation" in refused.content.decode()
    quest.refresh_from_db()
    assert quest.state == S.SUBMITTED
    assert agent_client.post(url, {"action": "accept", "confirme": "1"}).status_code == 302
    quest.refresh_from_db()
    assert quest.state == S.ACCEPTED


def test_comments_beside_the_answers_make_the_request_and_a_bad_one_keeps_them(agent_client, quest):
    url = reverse("agent:quest-action", args=[quest.pk])
    kept = agent_client.post(url, {"action": "request_changes", "fix:nom": "Mal orthographié", "fix:nope": "x"})
    assert kept.status_code == 400
    assert "Mal orthographié</textarea>" in kept.content.decode()  # nothing typed is lost
    response = agent_client.post(
        url, {"action": "request_changes", "fix:nom": "Mal orthographié", "fix:naissance": " ", "motivation": ""}
    )
    assert response.status_code == 302
    request = ChangeRequest.objects.get(quest=quest)
    assert request.targets == ["nom"] and request.comments == {"nom": "Mal orthographié"}


def test_the_citizen_step_shows_the_answers_asked_as_inputs_with_the_comment_and_the_others_as_text(
    quest, instructor, citizen_client
):
    decisions.quest_request_changes(quest=quest, actor=instructor, message="", comments={"nom": "Mal orthographié"})
    url = reverse("citizen:quest-step", args=[quest.pk, "identite"])
    html = citizen_client.get(url).content.decode()
    assert 'name="nom"' in html and 'name="naissance"' not in html
    assert "Mal orthographié" in html and 'aria-describedby="id_nom-fix' in html
    assert "17 mai 1990" in html  # the other answer, read as given
    # A forged post of an answer not asked for changes nothing.
    citizen_client.post(url, {"nom": "Martinez", "naissance": "1980-01-01", "action": "save"})
    answers = dict(Answer.objects.filter(quest=quest).values_list("field_name", "value"))
    assert answers["nom"] == "Martinez" and answers["naissance"] == "1990-05-17"
    # A step with nothing asked is read only.
    other = citizen_client.get(reverse("citizen:quest-step", args=[quest.pk, "pre-demande"])).content.decode()
    assert 'name="pre-demande.reference"' not in other and "AB12CD34EF" in other


def test_the_agent_reads_the_diff_once_the_citizen_resubmitted(agent_client, quest, instructor, citizen_client):
    decisions.quest_request_changes(quest=quest, actor=instructor, message="", comments={"nom": "Mal orthographié"})
    citizen_client.post(reverse("citizen:quest-step", args=[quest.pk, "identite"]), {"nom": "Martinez"})
    citizen_client.post(reverse("citizen:quest-submit", args=[quest.pk]))
    quest.refresh_from_db()
    assert quest.state == S.SUBMITTED
    html = agent_client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    table = html[html.index('id="corrections"') :]
    assert "Mal orthographié" in table and "Martin" in table and "Martinez" in table and "Modifiée" in table
