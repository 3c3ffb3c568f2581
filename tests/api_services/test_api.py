"""The services' API: what a token reaches, what it may do, and that it goes through the portal's use cases."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civiquest.accounts.api_tokens import ApiTokenRefused
from civiquest.accounts.models import (
    ApiTokenScope,
    AuditEvent,
    ServiceApiToken,
    ServiceApiTokenUse,
    ServiceMembership,
    ServiceRole,
)
from civiquest.actions.api_tokens import api_token_revoke
from civiquest.instruction.models import QuestMessage
from civiquest.quests.models import QuestState, QuestTransition
from tests.api_services.conftest import make_token, quest_url, quests_url
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest

pytestmark = pytest.mark.django_db


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


def test_the_list_gives_answers_with_their_labels_and_links_to_the_documents(client, quest, write_token, settings):
    settings.CIVIQUEST_PUBLIC_URL = "https://civiquest.example"
    response = client.get(quests_url(quest.procedure.instructing_service), headers=write_token.headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next_cursor"] is None
    [found] = body["quests"]
    assert found["reference"] == quest.reference
    assert found["state"] == QuestState.SUBMITTED
    assert found["state_label"] == "Déposé"
    assert found["procedure"] == {"id": quest.procedure_id, "slug": quest.procedure.slug, "title": "Passeport"}
    answers = {answer["name"]: answer for answer in found["answers"]}
    assert answers["nom"]["value"] == "Martin"
    assert answers["nom"]["step"] == "identite"
    assert answers["nom"]["label"] != ""
    documents = found["documents"]
    assert len(documents) == 2
    assert {document["input"] for document in documents} == {"pieces.id_photo", "pieces.proof_of_address"}
    first = documents[0]
    service_id = quest.procedure.instructing_service_id
    assert first["url"] == (
        f"https://civiquest.example/api/v1/services/{service_id}/quests/{quest.reference}/documents/{first['id']}"
    )
    assert found["url"] == f"https://civiquest.example/agent/dossiers/{quest.pk}/"


def test_a_document_is_read_with_the_token_only_within_its_services(client, quest, read_token, instructor):
    url = quests_url(quest.procedure.instructing_service) + f"/{quest.reference}"
    documents = client.get(url, headers=read_token.headers).json()["documents"]
    path = documents[0]["url"].removeprefix(settings_public_url())
    response = client.get(path, headers=read_token.headers)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ServiceApiTokenUse.objects.filter(token=read_token.token, path=path, status=200).exists()
    # Without a token, with a token of another service, or a document of another quest: nothing.
    assert client.get(path).status_code == 401
    elsewhere = ServiceFactory(name="Mairie de Dumbéa")
    other_token = make_token(member_of(elsewhere, ServiceRole.INSTRUCTOR), [elsewhere])
    assert client.get(path, headers=other_token.headers).status_code == 404
    other_quest = submitted_quest(quest.procedure)
    foreign = other_quest.documents.first().document_id
    assert client.get(path.rsplit("/", 1)[0] + f"/{foreign}", headers=read_token.headers).status_code == 404
    api_token_revoke(agent=instructor, token_id=read_token.token.pk)
    assert client.get(path, headers=read_token.headers).status_code == 401


def settings_public_url() -> str:
    from django.conf import settings  # noqa: PLC0415

    return settings.CIVIQUEST_PUBLIC_URL


def test_one_quest_by_its_reference(client, quest, read_token):
    response = client.get(quest_url(quest), headers=read_token.headers)
    assert response.status_code == 200
    assert response.json()["reference"] == quest.reference
    missing = client.get(
        quests_url(quest.procedure.instructing_service) + "/CQ-2026-XXXX-XXXX", headers=read_token.headers
    )
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Dossier introuvable."


@pytest.mark.parametrize("header", [None, "Bearer cqs_nope", "Bearer nope", "Basic abc"])
def test_no_or_an_unknown_token_is_a_401(client, quest, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(quests_url(quest.procedure.instructing_service), headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] in (
        "Connectez-vous pour utiliser ce service.",
        "Jeton d’API inconnu : vérifiez l’en-tête Authorization: Bearer <jeton>.",
    )


def test_a_revoked_token_is_a_401_and_its_use_is_logged(client, quest, instructor, write_token):
    api_token_revoke(agent=instructor, token_id=write_token.token.pk)
    response = client.get(quests_url(quest.procedure.instructing_service), headers=write_token.headers)
    assert response.status_code == 401
    assert "révoqué ou expiré" in response.json()["detail"]
    assert list(ServiceApiTokenUse.objects.values_list("status", flat=True)) == [401]


def test_an_expired_token_is_a_401(client, quest, write_token):
    ServiceApiToken.objects.filter(pk=write_token.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(quest_url(quest), headers=write_token.headers)
    assert response.status_code == 401
    assert "révoqué ou expiré" in response.json()["detail"]


def test_a_service_the_token_does_not_name_is_a_404(client, quest, instructor, mairie):
    other = ServiceFactory(name="Mairie de Dumbéa")
    ServiceMembership.objects.create(user=instructor, service=other, role=ServiceRole.INSTRUCTOR)
    token = make_token(instructor, [other])
    for url in (quests_url(mairie), quest_url(quest)):
        response = client.get(url, headers=token.headers)
        assert response.status_code == 404, url
        assert response.json()["detail"] == "Ce service n’existe pas ou ce jeton n’y donne pas accès."


def test_a_quest_of_another_service_is_a_404_on_the_tokens_service(client, quest, instructor):
    other = ServiceFactory(name="Mairie de Dumbéa")
    ServiceMembership.objects.create(user=instructor, service=other, role=ServiceRole.INSTRUCTOR)
    token = make_token(instructor, [other])
    response = client.get(f"/api/v1/services/{other.pk}/quests/{quest.reference}", headers=token.headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Dossier introuvable."
    listed = client.get(quests_url(other), headers=token.headers)
    assert listed.json()["quests"] == []


def test_the_token_stops_reaching_a_service_its_creator_left(client, quest, instructor, mairie, write_token):
    assert client.get(quest_url(quest), headers=write_token.headers).status_code == 200
    ServiceMembership.objects.filter(user=instructor, service=mairie).delete()
    assert client.get(quest_url(quest), headers=write_token.headers).status_code == 404
    response = client.post(
        quest_url(quest, "/decision"),
        {"action": "accept"},
        content_type="application/json",
        headers=write_token.headers,
    )
    assert response.status_code == 404
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED


def test_a_deactivated_creator_s_token_reaches_nothing(client, quest, instructor, write_token):
    instructor.is_active = False
    instructor.save(update_fields=["is_active"])
    assert client.get(quest_url(quest), headers=write_token.headers).status_code == 404


def test_a_read_token_cannot_write(client, quest, read_token):
    for suffix, payload in (("/decision", {"action": "accept"}), ("/messages", {"body": "Bonjour"})):
        response = client.post(
            quest_url(quest, suffix), payload, content_type="application/json", headers=read_token.headers
        )
        assert response.status_code == 403
        assert response.json()["detail"] == "Ce jeton ne permet que la lecture des dossiers."
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED
    assert not QuestMessage.objects.filter(quest=quest).exists()


def test_accepting_goes_through_the_portal_s_use_case(client, quest, instructor, write_token):
    response = client.post(
        quest_url(quest, "/decision"),
        {"action": "accept"},
        content_type="application/json",
        headers=write_token.headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == QuestState.ACCEPTED
    history = list(
        QuestTransition.objects.filter(quest=quest).order_by("at", "pk").values_list("to_state", "actor_id")
    )
    # Through the review first, as the portal's accept does; the actor is the token's creator.
    assert history[-2:] == [(QuestState.IN_REVIEW, instructor.pk), (QuestState.ACCEPTED, instructor.pk)]
    event = AuditEvent.objects.get(action="quest.accepted")
    assert event.actor == instructor
    assert event.details["via"] == "api"
    assert event.details["api_token"] == write_token.token.pk
    assert "attestation" in event.details  # what the portal's accept does: an attestation issued


def test_rejecting_needs_a_motivation_in_french(client, quest, write_token):
    url = quest_url(quest, "/decision")
    refused = client.post(url, {"action": "reject"}, content_type="application/json", headers=write_token.headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Motivez le refus : l’usager en sera informé."
    done = client.post(
        url,
        {"action": "reject", "motivation": "Pièce illisible"},
        content_type="application/json",
        headers=write_token.headers,
    )
    assert done.status_code == 200
    assert QuestTransition.objects.filter(
        quest=quest, to_state=QuestState.REJECTED, motivation="Pièce illisible"
    ).exists()
    again = client.post(
        url,
        {"action": "request_changes", "motivation": "x"},
        content_type="application/json",
        headers=write_token.headers,
    )
    assert again.status_code == 409


def test_requesting_changes_through_the_api(client, quest, write_token):
    response = client.post(
        quest_url(quest, "/decision"),
        {"action": "request_changes", "motivation": "Photo floue", "targets": ["pieces.id_photo"]},
        content_type="application/json",
        headers=write_token.headers,
    )
    assert response.status_code == 200
    assert response.json()["state"] == QuestState.CHANGES_REQUESTED
    assert quest.change_requests.get().targets == ["pieces.id_photo"]


def test_requesting_changes_with_a_comment_beside_each_answer(client, quest, write_token):
    names = sorted(quest.answers.values_list("field_name", flat=True))
    response = client.post(
        quest_url(quest, "/decision"),
        {
            "action": "request_changes",
            "comments": {names[0]: "  Le nom ne correspond pas à la pièce.  ", names[1]: " "},
        },
        content_type="application/json",
        headers=write_token.headers,
    )
    assert response.status_code == 200, response.json()
    request = quest.change_requests.get()
    assert request.comments == {names[0]: "Le nom ne correspond pas à la pièce."}
    assert request.targets == [names[0]]


def test_a_comment_on_an_answer_that_does_not_apply_is_refused(client, quest, write_token):
    response = client.post(
        quest_url(quest, "/decision"),
        {"action": "request_changes", "comments": {"no_such_answer": "?"}},
        content_type="application/json",
        headers=write_token.headers,
    )
    assert response.status_code == 400
    assert not quest.change_requests.exists()


def test_a_message_goes_to_the_citizen_as_from_the_portal(client, quest, instructor, write_token):
    response = client.post(
        quest_url(quest, "/messages"),
        {"body": "Bonjour"},
        content_type="application/json",
        headers=write_token.headers,
    )
    assert response.status_code == 201
    message = QuestMessage.objects.get(quest=quest)
    assert (message.author, message.from_agent, message.body) == (instructor, True, "Bonjour")
    assert AuditEvent.objects.get(action="quest.message").details == {"via": "api", "api_token": write_token.token.pk}


def test_each_use_is_logged_with_its_answer(client, quest, read_token):
    client.get(quest_url(quest), headers=read_token.headers)
    client.post(
        quest_url(quest, "/messages"), {"body": "x"}, content_type="application/json", headers=read_token.headers
    )
    client.get(quests_url(quest.procedure.instructing_service) + "?cursor=nope", headers=read_token.headers)
    # Refused by the schema before the operation runs: logged all the same.
    client.get(quests_url(quest.procedure.instructing_service) + "?limit=1000", headers=read_token.headers)
    uses = list(ServiceApiTokenUse.objects.order_by("pk").values_list("method", "path", "status"))
    assert uses == [
        ("GET", quest_url(quest), 200),
        ("POST", quest_url(quest, "/messages"), 403),
        ("GET", quests_url(quest.procedure.instructing_service), 400),
        ("GET", quests_url(quest.procedure.instructing_service), 400),
    ]
    read_token.token.refresh_from_db()
    assert read_token.token.last_used_at is not None


def test_the_rate_limit_is_per_token(client, quest, instructor, mairie, settings):
    settings.SERVICES_API_RATE_LIMIT = 2
    first, second = make_token(instructor, [mairie]), make_token(instructor, [mairie])
    for _ in range(2):
        assert client.get(quest_url(quest), headers=first.headers).status_code == 200
    refused = client.get(quest_url(quest), headers=first.headers)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["detail"] == "Trop d’appels avec ce jeton : réessayez dans quelques instants."
    assert client.get(quest_url(quest), headers=second.headers).status_code == 200


def test_keyset_pages_and_filters(client, passport, mairie, write_token):
    quests = [submitted_quest(passport) for _ in range(3)]
    url = quests_url(mairie)
    first = client.get(url, {"limit": 2}, headers=write_token.headers).json()
    assert [q["reference"] for q in first["quests"]] == [quest.reference for quest in quests[:2]]
    assert first["next_cursor"]
    second = client.get(url, {"limit": 2, "cursor": first["next_cursor"]}, headers=write_token.headers).json()
    assert [q["reference"] for q in second["quests"]] == [quests[2].reference]
    assert second["next_cursor"] is None
    bad = client.get(url, {"cursor": "bm9wZQ"}, headers=write_token.headers)
    assert bad.status_code == 400
    assert bad.json()["detail"] == "Curseur invalide : reprenez la liste depuis le début, sans curseur."
    accepted = client.get(url, {"state": "accepted"}, headers=write_token.headers).json()
    assert accepted["quests"] == []
    other_procedure, _revision = published(
        INSTRUCTED_STEPS, service=mairie, slug="autre-demarche", title="Autre démarche"
    )
    by_procedure = client.get(url, {"procedure": other_procedure.pk}, headers=write_token.headers).json()
    assert by_procedure["quests"] == []
    later = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    assert client.get(url, {"updated_since": later}, headers=write_token.headers).json()["quests"] == []


def test_updated_since_takes_any_offset_iso_8601_allows(client, passport, mairie, write_token):
    """PostgreSQL refuses offsets beyond ±15:59 (found by the fuzzer: a 500); the API reads them in UTC."""
    quest = submitted_quest(passport)
    url = quests_url(mairie)
    before = client.get(url, {"updated_since": "2000-01-01T00:00:00-18:39"}, headers=write_token.headers)
    assert before.status_code == 200
    assert [found["reference"] for found in before.json()["quests"]] == [quest.reference]
    after = client.get(url, {"updated_since": "5040-03-18T21:07:33-18:39"}, headers=write_token.headers)
    assert after.status_code == 200 and after.json()["quests"] == []
    naive = client.get(url, {"updated_since": "2000-01-01T00:00:00"}, headers=write_token.headers)
    assert naive.status_code == 200 and len(naive.json()["quests"]) == 1
    beyond = client.get(url, {"updated_since": "0001-01-01T00:00:00+05:00"}, headers=write_token.headers)
    assert beyond.status_code == 400
    assert beyond.json()["detail"] == "Date « updated_since » hors des limites : donnez une date réelle."


def test_the_list_costs_the_same_queries_for_two_or_ten_quests(
    client, passport, mairie, write_token, django_assert_num_queries
):
    for _ in range(2):
        submitted_quest(passport)
    url = quests_url(mairie)
    client.get(url, headers=write_token.headers)  # the revision's steps now cached, as in production
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(url, headers=write_token.headers).json()["quests"]) == 2
    for _ in range(8):
        submitted_quest(passport)
    with django_assert_num_queries(len(two.captured_queries)):
        assert len(client.get(url, headers=write_token.headers).json()["quests"]) == 10


def test_the_secret_is_never_stored_in_clear(write_token):
    row = ServiceApiToken.objects.filter(pk=write_token.token.pk).values().get()
    assert write_token.secret.startswith("cqs_") and len(write_token.secret) == 47
    assert all(write_token.secret not in str(value) for value in row.values())
    assert row["secret_hash"] == hashlib.sha256(write_token.secret.encode()).hexdigest()
    assert row["prefix"] == write_token.secret[:12]
    assert row["scope"] == ApiTokenScope.READ_WRITE
    audit = AuditEvent.objects.get(action="api_token.create")
    assert write_token.secret not in str(audit.details)


def test_an_agent_of_another_service_cannot_use_a_token_for_the_mairie(mairie):
    outsider = member_of(ServiceFactory(name="Mairie de Dumbéa"))
    with pytest.raises(ApiTokenRefused):
        make_token(outsider, [mairie])


def test_leaving_one_of_two_services_keeps_the_other(client, quest, instructor, mairie):
    other = ServiceFactory(name="Mairie de Dumbéa")
    ServiceMembership.objects.create(user=instructor, service=other, role=ServiceRole.INSTRUCTOR)
    token = make_token(instructor, [mairie, other])
    ServiceMembership.objects.filter(user=instructor, service=other).delete()
    assert client.get(quests_url(other), headers=token.headers).status_code == 404
    assert client.get(quest_url(quest), headers=token.headers).status_code == 200


def test_a_write_token_cannot_decide_on_another_service_s_quest(client, quest, instructor):
    other = ServiceFactory(name="Mairie de Dumbéa")
    ServiceMembership.objects.create(user=instructor, service=other, role=ServiceRole.INSTRUCTOR)
    token = make_token(instructor, [other])
    for url in (quest_url(quest, "/decision"), f"/api/v1/services/{other.pk}/quests/{quest.reference}/decision"):
        response = client.post(url, {"action": "accept"}, content_type="application/json", headers=token.headers)
        assert response.status_code == 404, url
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED
