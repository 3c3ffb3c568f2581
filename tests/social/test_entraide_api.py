"""/api/v1/entraide/: questions, answers, votes and acceptance for signed-in citizens."""

import json

import pytest

from civiquest.progress.models import XpEntry
from civiquest.social.entraide.models import Answer, Question
from tests.accounts.factories import AgentFactory, CitizenFactory
from tests.social.conftest import published_answer, published_question

pytestmark = pytest.mark.django_db

BASE = "/api/v1/entraide"


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_ask_list_read_answer_vote_and_accept(client, passport, asker, helper):
    client.force_login(asker)
    created = post(
        client, f"{BASE}/questions", {"procedure": passport.slug, "step": "identite", "title": "Nom d’usage ?"}
    )
    assert created.status_code == 201, created.content
    question_id = created.json()["id"]
    assert created.json()["status"] == "published" and created.json()["author"] == "Asker"
    listed = client.get(f"{BASE}/questions", {"procedure": passport.slug, "step": "identite"})
    assert [q["id"] for q in listed.json()] == [question_id]
    assert client.get(f"{BASE}/questions", {"procedure": passport.slug, "step": "perte"}).json() == []

    client.force_login(helper)
    answered = post(
        client,
        f"{BASE}/questions/{question_id}/answers",
        {
            "body": "Indiquez-le à l’étape identité.",
            "fiche_url": "https://www.service-public.fr/particuliers/vosdroits/F10284",
        },
    )
    assert answered.status_code == 201, answered.content
    answer_id = answered.json()["id"]
    assert post(client, f"{BASE}/answers/{answer_id}/vote").status_code == 400  # their own answer

    client.force_login(asker)
    for _index in range(2):
        voted = post(client, f"{BASE}/answers/{answer_id}/vote")
        assert voted.status_code == 200 and voted.json() == {"answer": answer_id, "voted": True, "helpful_count": 1}
        accepted = post(client, f"{BASE}/answers/{answer_id}/accept")
        assert accepted.status_code == 200 and accepted.json() == {"answer": answer_id, "accepted": True}
    detail = client.get(f"{BASE}/questions/{question_id}").json()
    assert detail["has_accepted"] and detail["answer_list"][0]["accepted"]
    assert XpEntry.objects.filter(citizen=helper, reason="entraide.answer").count() == 1


def test_personal_data_is_refused_or_needs_a_confirmation(client, passport, asker):
    client.force_login(asker)
    blocked = post(
        client, f"{BASE}/questions", {"procedure": passport.slug, "title": "Aide", "body": "Mon 06 12 34 56 78"}
    )
    assert blocked.status_code == 400 and "numéro de téléphone" in blocked.json()["detail"]
    body = {"procedure": passport.slug, "title": "Aide", "body": "J’habite 12 rue de la Paix à Lyon."}
    warned = post(client, f"{BASE}/questions", body)
    assert warned.status_code == 400 and "confirmez" in warned.json()["detail"]
    assert not Question.objects.filter(procedure=passport).exists()
    assert post(client, f"{BASE}/questions", {**body, "confirm_personal_data": True}).status_code == 201


def test_only_signed_in_citizens_with_a_pseudonym_post(client, passport, asker):
    question = published_question(asker, passport)
    assert client.get(f"{BASE}/questions", {"procedure": passport.slug}).status_code == 401
    client.force_login(AgentFactory())
    assert client.get(f"{BASE}/questions", {"procedure": passport.slug}).status_code == 403
    client.force_login(CitizenFactory())
    refused = post(client, f"{BASE}/questions/{question.pk}/answers", {"body": "Réponse"})
    assert refused.status_code == 403 and "pseudonyme" in refused.json()["detail"]


def test_someone_elses_pending_question_is_not_found_and_bad_ids_are_400(client, passport, asker, helper):
    pending = Question.objects.create(author=CitizenFactory(), procedure=passport, title="En attente")
    client.force_login(helper)
    assert client.get(f"{BASE}/questions/{pending.pk}").status_code == 404
    assert client.get(f"{BASE}/questions/0").status_code == 400
    assert client.get(f"{BASE}/questions/{2**31}").status_code == 400
    assert client.get(f"{BASE}/questions", {"procedure": "Pas un slug"}).status_code == 400
    answer = published_answer(helper, published_question(asker, passport))
    refused = post(client, f"{BASE}/answers/{answer.pk}/accept")
    assert refused.status_code == 400 and Answer.objects.get(pk=answer.pk).accepted_at is None


def test_votes_are_rate_limited_per_citizen(client, passport, asker, settings):
    settings.ENTRAIDE_RATE_LIMIT_VOTES = 2
    question = published_question(asker, passport)
    answers = [published_answer(CitizenFactory(), question) for _index in range(3)]
    client.force_login(asker)
    assert [post(client, f"{BASE}/answers/{a.pk}/vote").status_code for a in answers] == [200, 200, 429]
