"""Moving house: declared once, dispatched to each organisation over a real socket, each with its own status."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from django.urls import reverse

from civiquest.integrations.address.moving import services
from civiquest.integrations.address.moving.models import DispatchStatus, HomeAddress, MoveDeclaration, MoveDispatch
from civiquest.integrations.address.moving.organisations import ORGANISATIONS, nir_key_is_valid
from civiquest.quests.models import StepProgress
from civiquest.sandbox import http_faults
from civiquest.sandbox.moving import declarations_created
from tests.accounts.factories import CitizenFactory
from tests.integrations.moving.conftest import GOOD_REFERENCES, NOUMEA, SERVICE, nir

pytestmark = pytest.mark.django_db


def declare(client, quest, references, django_capture_on_commit_callbacks):
    """The citizen posts the declaration page; the dispatches run (inline) once the transaction commits."""
    data = {services.reference_input(code): value for code, value in references.items()}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("citizen:moving-quest", args=[quest.pk]), data)


def statuses(quest) -> dict[str, str]:
    return dict(MoveDispatch.objects.filter(declaration__quest=quest).values_list("organisation", "status"))


def test_one_declaration_reaches_each_organisation_with_its_own_status(
    recipients, moving_quest, citizen, client, login_verified, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("impots", "caf", "assurance_maladie", "carte_grise"))
    login_verified(client, citizen)
    response = declare(client, quest, GOOD_REFERENCES, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    # The tax office takes the address at once; the others receive it and process it later.
    assert statuses(quest) == {
        "impots": DispatchStatus.PROCESSED,
        "caf": DispatchStatus.RECEIVED,
        "assurance_maladie": DispatchStatus.RECEIVED,
        "carte_grise": DispatchStatus.RECEIVED,
    }
    dispatch = MoveDispatch.objects.get(declaration__quest=quest, organisation="impots")
    assert dispatch.remote_id.startswith("IMP-") and dispatch.attempts == 1 and dispatch.processed_at is not None
    # The citizen's address is updated, and the quest's step carries the declaration number.
    declaration = MoveDeclaration.objects.get(quest=quest)
    home = HomeAddress.objects.get(citizen=citizen)
    assert home.address == NOUMEA and home.label == NOUMEA["label"]
    assert quest.answers.get(field_name="declaration.reference").value == declaration.reference
    assert StepProgress.objects.filter(quest=quest, step__slug="declaration", done_at__isnull=False).exists()
    page = client.get(reverse("citizen:moving-quest", args=[quest.pk])).content.decode()
    assert declaration.reference in page and "Prise en compte" in page and "Reçue par l’organisme" in page
    assert NOUMEA["label"] in client.get(reverse("citizen:profile")).content.decode()


def test_declaring_twice_sends_nothing_twice(
    recipients, moving_quest, citizen, client, login_verified, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("impots", "caf"))
    login_verified(client, citizen)
    declare(client, quest, GOOD_REFERENCES, django_capture_on_commit_callbacks)
    declare(client, quest, GOOD_REFERENCES, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_declare(quest=quest, citizen=citizen, references=GOOD_REFERENCES)
    assert MoveDeclaration.objects.filter(quest=quest).count() == 1
    assert http_faults.requests_seen(SERVICE) == 2
    assert declarations_created("impots") == 1 and declarations_created("caf") == 1


def test_a_bad_reference_format_is_said_and_nothing_is_sent(
    recipients, moving_quest, citizen, client, login_verified, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("impots", "caf"))
    login_verified(client, citizen)
    response = declare(client, quest, {"impots": "12345", "caf": "1234567"}, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    content = response.content.decode()
    assert "« Numéro fiscal » n’a pas le format attendu" in content
    assert 'value="1234567"' in content  # what was typed is kept
    assert not MoveDeclaration.objects.exists() and http_faults.requests_seen(SERVICE) == 0


def test_an_unknown_reference_is_refused_with_a_reason_and_can_be_corrected(
    recipients, moving_quest, citizen, client, login_verified, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("impots", "caf", "assurance_maladie"))
    login_verified(client, citizen)
    wrong_key = "185057800604801"
    assert not nir_key_is_valid(wrong_key)
    references = {**GOOD_REFERENCES, "caf": "1230000", "assurance_maladie": wrong_key}
    declare(client, quest, references, django_capture_on_commit_callbacks)
    assert statuses(quest) == {
        "impots": DispatchStatus.PROCESSED,
        "caf": DispatchStatus.REJECTED,
        "assurance_maladie": DispatchStatus.REJECTED,
    }
    caf = MoveDispatch.objects.get(declaration__quest=quest, organisation="caf")
    assert "inconnue" in caf.reason
    assert "clé" in MoveDispatch.objects.get(declaration__quest=quest, organisation="assurance_maladie").reason
    page = client.get(reverse("citizen:moving-quest", args=[quest.pk])).content.decode()
    assert caf.reason == "Cette référence est inconnue de nos services : vérifiez-la sur un de nos courriers."
    assert caf.reason in page
    first_key = caf.idempotency_key
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("citizen:moving-retry", args=[quest.pk, "caf"]), {services.reference_input("caf"): "123 45 67"}
        )
    assert response.status_code == 302
    caf.refresh_from_db()
    assert caf.status == DispatchStatus.RECEIVED and caf.reference == "1234567" and caf.idempotency_key != first_key
    assert statuses(quest)["impots"] == DispatchStatus.PROCESSED


def test_an_organisation_down_fails_alone_and_the_citizen_retries_it(
    recipients, moving_quest, citizen, client, login_verified, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("impots", "caf"))
    login_verified(client, citizen)
    # The first dispatch (impots) meets 500s on each of its 3 attempts (2 calls each); the CAF's goes through.
    http_faults.inject(SERVICE, http_faults.HttpFault.SERVER_ERROR, times=6)
    declare(client, quest, GOOD_REFERENCES, django_capture_on_commit_callbacks)
    impots = MoveDispatch.objects.get(declaration__quest=quest, organisation="impots")
    assert impots.status == DispatchStatus.FAILED and impots.attempts == 3
    assert "réessayez" in impots.reason
    assert statuses(quest)["caf"] == DispatchStatus.RECEIVED
    page = client.get(reverse("citizen:moving-quest", args=[quest.pk])).content.decode()
    assert "Envoi impossible pour le moment" in page and "Renvoyer" in page
    key = impots.idempotency_key
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("citizen:moving-retry", args=[quest.pk, "impots"]))
    impots.refresh_from_db()
    # Undelivered: sent again under the same key (had it arrived, the organisation would answer it again).
    assert impots.status == DispatchStatus.PROCESSED and impots.idempotency_key == key
    assert declarations_created("impots") == 1


def test_a_lost_answer_is_retried_under_the_same_key_and_processed_once(
    recipients, moving_quest, citizen, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("caf",))
    # The first call times out on the client's side while the organisation still records it.
    http_faults.inject(SERVICE, http_faults.HttpFault.SLOW, times=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_declare(quest=quest, citizen=citizen, references=GOOD_REFERENCES)
    assert statuses(quest) == {"caf": DispatchStatus.RECEIVED}
    time.sleep(1.2)  # the slow request ends, and is answered as a replay of its key
    assert declarations_created("caf") == 1


def test_a_received_move_becomes_processed_when_the_organisation_has_done_it(
    recipients, moving_quest, citizen, client, login_verified, settings, django_capture_on_commit_callbacks
):
    settings.SANDBOX_MOVING_PROCESSING_SECONDS = 0.3
    quest = moving_quest(citizen, ("caf", "france_travail"))
    login_verified(client, citizen)
    declare(client, quest, GOOD_REFERENCES, django_capture_on_commit_callbacks)
    assert set(statuses(quest).values()) == {DispatchStatus.RECEIVED}
    time.sleep(0.4)
    response = client.post(reverse("citizen:moving-refresh", args=[quest.pk]))
    assert response.status_code == 302
    assert set(statuses(quest).values()) == {DispatchStatus.PROCESSED}
    assert services.dispatches_refresh() == 0


def test_the_moving_page_costs_few_queries(
    recipients, moving_quest, citizen, client, login_verified, django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    quest = moving_quest(citizen, tuple(ORGANISATIONS))
    login_verified(client, citizen)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("citizen:moving-quest", args=[quest.pk])).status_code == 200
    declare(client, quest, GOOD_REFERENCES, django_capture_on_commit_callbacks)
    assert len(statuses(quest)) == len(ORGANISATIONS)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("citizen:moving-quest", args=[quest.pk])).status_code == 200


def test_the_moving_pages_are_the_citizens_own(moving_quest, citizen, client, login_verified):
    quest = moving_quest(citizen)
    login_verified(client, CitizenFactory())
    assert client.get(reverse("citizen:moving-quest", args=[quest.pk])).status_code == 404
    assert client.post(reverse("citizen:moving-retry", args=[quest.pk, "caf"])).status_code == 404
    client.logout()
    assert client.get(reverse("citizen:moving-quest", args=[quest.pk])).status_code == 302
    login_verified(client, citizen)
    assert client.get(reverse("citizen:moving")).url == reverse("citizen:moving-quest", args=[quest.pk])


def test_without_a_moving_quest_the_page_offers_the_procedure(citizen, client, login_verified, moving_quest):
    login_verified(client, citizen)
    content = client.get(reverse("citizen:moving")).content.decode()
    assert 'href="/demarches/changement-adresse/"' in content


def test_the_page_follows_the_procedure_that_dispatches_the_address_not_its_slug(
    citizen, client, login_verified, moving_quest
):
    from civiquest.catalogue.models import Procedure, ProcedureRevision

    login_verified(client, citizen)
    Procedure.objects.filter(slug="changement-adresse").update(slug="demenager")
    assert 'href="/demarches/demenager/"' in client.get(reverse("citizen:moving")).content.decode()
    ProcedureRevision.objects.filter(procedure__slug="demenager").update(address_dispatch=False)
    content = client.get(reverse("citizen:moving")).content.decode()
    assert "/demarches/demenager/" not in content
    assert "n’est pas ouverte pour le moment" in content


def test_the_declaration_asks_the_address_first(moving_quest, citizen, client, login_verified):
    from civiquest.catalogue.models import Procedure
    from civiquest.quests.services import quest_start

    moving_quest(citizen)  # loads the procedure
    quest = quest_start(citizen=CitizenFactory(), procedure=Procedure.objects.get(slug="changement-adresse"))
    login_verified(client, quest.citizen)
    response = client.post(reverse("citizen:moving-quest", args=[quest.pk]), {})
    assert response.status_code == 400
    assert "Indiquez d’abord votre nouvelle adresse" in response.content.decode()


# --- The sandbox's protocol ------------------------------------------------------------------------


def _post(url, body, *, token, key=None):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post(url, json=body, headers=headers, timeout=5)


BODY = {"declaration": "DEM-ABCDEFGH", "reference": "1234567", "moved_on": "2026-11-02", "address": NOUMEA}


def test_the_sandbox_honours_idempotency_keys(recipients, settings):
    url = recipients.url + "/sandbox/demenagement/caf/declarations"
    token = settings.INTEGRATIONS[SERVICE]["TOKEN"]
    key = str(uuid.uuid4())
    first = _post(url, BODY, key=key, token=token)
    assert first.status_code == 201 and first.json()["status"] == "received"
    again = _post(url, BODY, key=key, token=token)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    reused = _post(url, {**BODY, "reference": "7654321"}, key=key, token=token)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    assert _post(url, BODY, token=token).status_code == 400
    assert _post(url, BODY, key=str(uuid.uuid4()), token="wrong").status_code == 401
    assert (
        _post(recipients.url + "/sandbox/demenagement/nasa/declarations", BODY, key="k", token=token).status_code
        == 404
    )
    status = httpx.get(f"{url}/{first.json()['id']}", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert status.json() == first.json()
    assert declarations_created("caf") == 1


def test_references_are_checked_like_the_organisations_do():
    assert nir_key_is_valid(nir()) and not nir_key_is_valid(nir()[:-2] + "00")
    assert services.clean_reference(ORGANISATIONS["carte_grise"], "ab 123 cd") == "AB-123-CD"
    with pytest.raises(services.ReferenceInvalid):
        services.clean_reference(ORGANISATIONS["impots"], "9234567890123")


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [
        # Not JSON: the attempt fails (nothing was recorded), the task tries again.
        (http_faults.HttpFault.MALFORMED_JSON, 2),
        # 429 with a short Retry-After: the shared client waits and retries within the same attempt.
        (http_faults.HttpFault.TOO_MANY_REQUESTS, 1),
    ],
)
def test_a_misbehaving_organisation_is_retried_until_it_answers(
    recipients, moving_quest, citizen, fault, attempts, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("impots",))
    http_faults.inject(SERVICE, fault, times=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_declare(quest=quest, citizen=citizen, references=GOOD_REFERENCES)
    dispatch = MoveDispatch.objects.get(declaration__quest=quest)
    assert dispatch.status == DispatchStatus.PROCESSED and dispatch.attempts == attempts
    assert declarations_created("impots") == 1
