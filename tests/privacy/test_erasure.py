"""Erasure: the citizen leaves no personal data in any table, while the agents' decisions stay."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse

from civiquest.accounts.models import AuditEvent, User
from civiquest.instruction.models import Attestation
from civiquest.privacy import data_map, services
from civiquest.quests.models import Quest, QuestState, QuestTransition
from tests.accounts.factories import login_verified
from tests.privacy.conftest import MARKERS, reauthenticate

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def _relates_to_user(model: type[models.Model]) -> bool:
    user_model = get_user_model()
    return model is user_model or any(
        field.is_relation and field.concrete and field.related_model is user_model
        for field in model._meta.get_fields()
    )


def test_every_model_related_to_a_user_is_in_the_data_map():
    labels = {model._meta.label for model in apps.get_models()}
    missing = sorted(
        model._meta.label
        for model in apps.get_models()
        if _relates_to_user(model) and model._meta.label not in data_map.MODELS
    )
    assert missing == [], f"say in civiquest/privacy/data_map.py what the erasure does with: {missing}"
    assert set(data_map.MODELS) <= labels
    categories = {category.key for category in data_map.CATEGORIES}
    assert {entry.category for entry in data_map.MODELS.values() if entry.category} <= categories


def _rows_mentioning(model: type[models.Model], markers: tuple[str, ...]) -> list[str]:
    names = [field.attname for field in model._meta.concrete_fields if isinstance(field, TEXT_FIELDS)]
    if not names:
        return []
    found = []
    for values in model._default_manager.values_list(*names):
        text = " ".join(str(value) for value in values).casefold()
        found += [marker for marker in markers if marker.casefold() in text]
    return found


def _rows_pointing_at(model: type[models.Model], user_id: int) -> int:
    user_model = get_user_model()
    fields = [
        field.attname
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    ]
    count = 0
    for attname in fields:
        count += model._default_manager.filter(**{attname: user_id}).count()
    if model is user_model:
        count += model._default_manager.filter(pk=user_id).count()
    return count


@pytest.mark.django_db
def test_an_erased_citizen_leaves_no_personal_data_in_any_table(
    rich_citizen, instructor, django_capture_on_commit_callbacks
):
    user = rich_citizen.user
    other_browser = Client()
    other_browser.force_login(user)
    # Before: the markers are really in the tables (else the check below proves nothing).
    before = {model._meta.label: _rows_mentioning(model, MARKERS) for model in apps.get_models()}
    assert sum(len(found) for found in before.values()) >= 10

    with django_capture_on_commit_callbacks(execute=True):
        report = services.citizen_erase(citizen=user)

    for model in apps.get_models():
        assert _rows_mentioning(model, MARKERS) == [], model._meta.label
        assert _rows_pointing_at(model, user.pk) == 0, model._meta.label
    assert report.quests_kept == 2 and report.quests_deleted == 1
    assert not Quest.objects.filter(pk=rich_citizen.draft.pk).exists()
    assert not QuestTransition.objects.filter(quest_id=rich_citizen.draft.pk).exists()
    # Every session of the account is closed, in every browser.
    assert not [s for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)]
    assert "_auth_user_id" not in other_browser.session


@pytest.mark.django_db
def test_the_decisions_stay_under_a_pseudonym(rich_citizen, instructor, django_capture_on_commit_callbacks):
    accepted, rejected = rich_citizen.accepted, rich_citizen.rejected
    attestation_file = Attestation.objects.get(quest=accepted).file.name
    with django_capture_on_commit_callbacks(execute=True):
        report = services.citizen_erase(citizen=rich_citizen.user)

    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.state == QuestState.ACCEPTED and rejected.state == QuestState.REJECTED
    assert accepted.citizen_id == rejected.citizen_id
    placeholder = accepted.citizen
    assert placeholder.get_full_name() == report.pseudonym and not placeholder.is_active
    assert not placeholder.has_usable_password() and not placeholder.external_identities.exists()
    assert rejected.transitions.filter(to_state=QuestState.REJECTED, motivation="Pièce d’identité illisible.").exists()
    assert not accepted.answers.exists() and not accepted.messages.exists() and not accepted.notes.exists()
    attestation = Attestation.objects.get(quest=accepted)
    assert attestation.citizen_name == report.pseudonym and not attestation.file
    assert not Attestation.file.field.storage.exists(attestation_file)
    # The agent's portal still shows the decision, with the pseudonym.
    agent = Client()
    login_verified(agent, instructor)
    page = agent.get(reverse("agent:quest", args=[rejected.pk])).content.decode()
    assert "Pièce d’identité illisible." in page and report.pseudonym in page
    assert "Zorglubien" not in page
    # One audit event says it happened, without anything personal.
    event = AuditEvent.objects.get(action="citizen.erase")
    assert event.actor is None and event.target_label == report.pseudonym
    assert not any(marker.casefold() in str(event.details).casefold() for marker in MARKERS)


@pytest.mark.django_db
def test_erasure_removes_the_wallet_files(rich_citizen, django_capture_on_commit_callbacks):
    names = [document.file.name for document in rich_citizen.user.documents.all()]
    storage = rich_citizen.user.documents.first().file.storage
    assert len(names) >= 2 and all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.citizen_erase(citizen=rich_citizen.user)
    assert not any(storage.exists(name) for name in names)


@pytest.mark.django_db
def test_only_a_citizen_account_is_erased(instructor):
    with pytest.raises(services.ErasureRefused):
        services.citizen_erase(citizen=instructor)
    assert User.objects.filter(pk=instructor.pk).exists()


# --- Pages and API ------------------------------------------------------------------------------


def test_the_erase_page_sends_to_franceconnect_first(client, citizen, providers_on_live_server):
    client.force_login(citizen)
    page = client.get(reverse("citizen:privacy-erase"))
    assert "Confirmer mon identité avec FranceConnect" in page.content.decode()
    response = client.post(reverse("citizen:privacy-erase"), {"confirm": "on"})
    assert response.status_code == 302
    assert "/sandbox/franceconnect/api/v2/authorize?" in response["Location"]
    assert "prompt=login" in response["Location"]
    assert User.objects.filter(pk=citizen.pk).exists()


@pytest.mark.django_db
def test_the_erase_page_needs_the_box_ticked_then_erases_and_signs_out(
    client, rich_citizen, django_capture_on_commit_callbacks
):
    user = rich_citizen.user
    client.force_login(user)
    reauthenticate(client, user)
    refused = client.post(reverse("citizen:privacy-erase"), {})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer" in refused.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("citizen:privacy-erase"), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("citizen:privacy-erased")
    assert not User.objects.filter(pk=user.pk).exists()
    assert "_auth_user_id" not in client.session
    assert "Votre compte a été supprimé" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_delete_me_needs_a_recent_reauthentication(client, citizen):
    client.force_login(citizen)
    response = client.delete("/api/v1/me")
    assert response.status_code == 403
    body = response.json()
    assert "FranceConnect" in body["detail"]
    assert body["reauthenticate_url"].endswith(reverse("citizen:privacy-erase"))
    assert User.objects.filter(pk=citizen.pk).exists()


@pytest.mark.django_db
def test_delete_me_erases_the_account(client, rich_citizen, django_capture_on_commit_callbacks):
    user = rich_citizen.user
    client.force_login(user)
    reauthenticate(client, user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/api/v1/me")
    assert response.status_code == 200, response.content
    assert response.json()["quests_kept"] == 2
    assert not User.objects.filter(pk=user.pk).exists()
    assert client.delete("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_an_agent_cannot_use_the_citizen_endpoints(client, instructor):
    login_verified(client, instructor)
    assert client.delete("/api/v1/me").status_code == 403
    assert client.get(reverse("citizen:privacy-erase")).status_code == 403
