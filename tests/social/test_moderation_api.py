"""POST /api/v1/entraide/{questions,answers}/{id}/report: once (201, then 200), never one's own post."""

from __future__ import annotations

import json

import pytest

from civiquest.social.entraide.models import PostStatus, Question
from civiquest.social.moderation.models import Report
from tests.accounts.factories import AgentFactory, CitizenFactory, login_verified
from tests.social.moderation_factories import a_question, an_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    client.user = CitizenFactory()
    login_verified(client, client.user)
    return client


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_reporting_a_question_is_201_then_200(api):
    question = a_question(CitizenFactory())
    url = f"/api/v1/entraide/questions/{question.pk}/report"
    created = post(api, url, {"reason": "abuse", "comment": "Insulte."})
    assert created.status_code == 201
    body = created.json()
    report = Report.objects.get()
    assert body == {"id": report.pk, "reason": "abuse", "created_at": body["created_at"], "post_hidden": False}
    again = post(api, url, {"reason": "spam"})
    assert again.status_code == 200 and again.json()["id"] == report.pk
    assert Report.objects.count() == 1


def test_the_report_at_the_threshold_says_the_post_is_hidden(client, settings):
    settings.ENTRAIDE_REPORTS_TO_HIDE = 2
    answer = an_answer(CitizenFactory())
    url = f"/api/v1/entraide/answers/{answer.pk}/report"
    answers = []
    for _ in range(2):
        login_verified(client, CitizenFactory())
        answers.append(post(client, url, {"reason": "wrong"}).json()["post_hidden"])
    assert answers == [False, True]
    assert answer.__class__.objects.get(pk=answer.pk).status == PostStatus.HIDDEN


def test_ones_own_post_is_a_400_in_french(api):
    question = a_question(api.user)
    refused = post(api, f"/api/v1/entraide/questions/{question.pk}/report", {"reason": "abuse"})
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Vous ne pouvez pas signaler votre propre message."
    assert Report.objects.count() == 0


def test_bad_input_is_a_400_in_french(api):
    question = a_question(CitizenFactory())
    url = f"/api/v1/entraide/questions/{question.pk}/report"
    assert post(api, url, {"reason": "boring"}).json()["detail"] == "Choisissez une raison dans la liste."
    too_long = post(api, url, {"reason": "abuse", "comment": "x" * 501})
    assert too_long.status_code == 400
    assert post(api, "/api/v1/entraide/questions/0/report", {"reason": "abuse"}).status_code == 400
    assert post(api, f"/api/v1/entraide/questions/{2**31}/report", {"reason": "abuse"}).status_code == 400
    assert Report.objects.count() == 0


def test_a_hidden_or_unknown_post_is_a_404(api):
    hidden = a_question(CitizenFactory(), status=PostStatus.HIDDEN)
    assert post(api, f"/api/v1/entraide/questions/{hidden.pk}/report", {"reason": "abuse"}).status_code == 404
    assert post(api, "/api/v1/entraide/answers/999999/report", {"reason": "abuse"}).status_code == 404


def test_only_signed_in_citizens_report(client):
    question = a_question(CitizenFactory())
    url = f"/api/v1/entraide/questions/{question.pk}/report"
    assert post(client, url, {"reason": "abuse"}).status_code == 401
    login_verified(client, AgentFactory())
    assert post(client, url, {"reason": "abuse"}).status_code == 403
    assert Question.objects.get(pk=question.pk).reports.count() == 0
