# ruff: noqa: F811 - the fixtures are imported from tests.social.mandate_setup
"""A helper under a mandate: the citizen's quests and documents of the mandate's domains only,
through the citizen's own quest pages; steps and submission journaled; XP to the citizen; the
agent and the citizen read "fait par … pour le compte de …"; revocation and expiry hold from
the very next request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.actions.mandates import mandate_revoke
from civiquest.progress.models import XpEntry
from civiquest.quests.models import ActorRole, QuestState, QuestTransition, StepProgress
from civiquest.social.mandates.models import JournalAction, JournalIsAppendOnly, MandateJournalEntry
from civiquest.social.mandates.selectors import helper_quest
from tests.catalogue.factories import member_of
from tests.quests.fixtures import fill, mairie  # noqa: F401
from tests.social.mandate_setup import grant, move_past_expiry, world  # noqa: F401

IDENTITY = {"nom": "Durand", "naissance": "1950-02-01", "premiere_demande": "oui", "action": "continue"}


def step_url(quest, slug):
    return reverse("citizen:quest-step", args=[quest.pk, slug])


@pytest.fixture
def helper_client(client, world):
    client.force_login(world.helper)
    return client


def test_the_helper_opens_the_quests_of_the_mandates_domains_only(helper_client, world):
    grant(world.citizen, world.helper, ["papiers"])
    page = helper_client.get(reverse("citizen:quest", args=[world.passport_quest.pk]))
    assert page.status_code == 200
    assert "Vous agissez pour le compte de Camille Durand" in " ".join(page.content.decode().split())
    assert helper_client.get(step_url(world.passport_quest, "identite")).status_code == 200
    assert helper_client.get(reverse("citizen:quest-review", args=[world.passport_quest.pk])).status_code == 200
    assert helper_client.get(reverse("citizen:quest", args=[world.tax_quest.pk])).status_code == 404
    assert helper_client.get(step_url(world.tax_quest, "identite")).status_code == 404
    # Not listed among their own quests either.
    assert "Passeport" not in helper_client.get(reverse("citizen:quests")).content.decode()


def test_without_a_mandate_the_quest_is_a_404(helper_client, world):
    assert helper_client.get(reverse("citizen:quest", args=[world.passport_quest.pk])).status_code == 404
    assert helper_quest(quest_id=world.passport_quest.pk, helper=world.helper) is None


def test_a_step_done_by_the_helper_is_journaled_and_its_xp_goes_to_the_citizen(helper_client, world):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    response = helper_client.post(step_url(world.passport_quest, "identite"), IDENTITY)
    assert response.status_code == 302
    assert StepProgress.objects.filter(quest=world.passport_quest, done_at__isnull=False).exists()
    entry = MandateJournalEntry.objects.get(mandate=mandate, action=JournalAction.STEP_SAVED)
    assert entry.actor == world.helper and entry.quest_id == world.passport_quest.pk
    assert entry.details["completed"] is True
    assert XpEntry.objects.filter(citizen=world.citizen).exists()
    assert not XpEntry.objects.filter(citizen=world.helper).exists()


def test_submission_by_the_helper_is_a_helper_transition_the_agent_and_the_citizen_read(client, world, mairie):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    fill(world.passport_quest)
    client.force_login(world.helper)
    response = client.post(reverse("citizen:quest-submit", args=[world.passport_quest.pk]))
    assert response.status_code == 302
    transition = QuestTransition.objects.get(quest=world.passport_quest, to_state=QuestState.SUBMITTED)
    assert transition.actor == world.helper and transition.actor_role == ActorRole.HELPER
    assert MandateJournalEntry.objects.filter(mandate=mandate, action=JournalAction.QUEST_SUBMITTED).count() == 1
    assert not XpEntry.objects.filter(citizen=world.helper).exists()

    agent = member_of(mairie, "instructor")
    client.force_login(agent)
    page = client.get(reverse("agent:quest", args=[world.passport_quest.pk])).content.decode()
    assert "fait par Hélène Aidante pour le compte de Camille Durand" in " ".join(page.split())

    client.force_login(world.citizen)
    page = client.get(reverse("citizen:quest", args=[world.passport_quest.pk])).content.decode()
    assert "fait par Hélène Aidante pour le compte de Camille Durand" in " ".join(page.split())


def test_the_agent_sees_a_step_done_for_the_citizen(client, world, mairie):
    """Once the citizen has submitted the quest, the agent reads which steps a helper did for them."""
    from civiquest.actions.quests import quest_submit

    grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.helper)
    client.post(step_url(world.passport_quest, "identite"), IDENTITY)
    quest_submit(quest=fill(world.passport_quest), actor=world.citizen)
    client.force_login(member_of(mairie, "instructor"))
    page = " ".join(client.get(reverse("agent:quest", args=[world.passport_quest.pk])).content.decode().split())
    assert "Étape enregistrée" in page
    assert "fait par Hélène Aidante pour le compte de Camille Durand" in page


@pytest.mark.parametrize("side", ["citizen", "helper"])
def test_revocation_by_either_side_holds_from_the_next_request(client, world, side):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.helper)
    url = reverse("citizen:quest", args=[world.passport_quest.pk])
    assert client.get(url).status_code == 200
    by = world.citizen if side == "citizen" else world.helper
    client.force_login(by)
    assert client.post(reverse("citizen:mandate-revoke", args=[mandate.pk])).status_code == 302
    client.force_login(world.helper)
    assert client.get(url).status_code == 404
    assert client.post(step_url(world.passport_quest, "identite"), IDENTITY).status_code == 404
    mandate.refresh_from_db()
    assert mandate.revoked_by == by
    assert MandateJournalEntry.objects.filter(mandate=mandate, action=JournalAction.REVOKED).count() == 1


def test_revocation_in_the_same_session_holds_at_once(client, world):
    """Nothing is remembered in the helper's session: revoked behind their back, the next request fails."""
    mandate = grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.helper)
    url = reverse("citizen:quest", args=[world.passport_quest.pk])
    assert client.get(url).status_code == 200
    mandate_revoke(mandate=mandate, by=world.citizen)
    assert client.get(url).status_code == 404


def test_an_expired_mandate_grants_nothing(client, world):
    mandate = grant(world.citizen, world.helper, ["papiers"], days=1)
    client.force_login(world.helper)
    url = reverse("citizen:quest", args=[world.passport_quest.pk])
    assert client.get(url).status_code == 200
    move_past_expiry(mandate)
    assert client.get(url).status_code == 404
    assert client.get(reverse("citizen:helper-document", args=[world.passport_doc.pk])).status_code == 404
    assert "Expiré" in client.get(reverse("citizen:helper-space")).content.decode()


def test_the_helper_is_refused_when_the_mandate_ends_between_the_page_and_the_action(world):
    from civiquest.actions.mandates import helper_step_save
    from civiquest.social.mandates.services import MandateRefused
    from tests.quests.fixtures import step

    mandate = grant(world.citizen, world.helper, ["papiers"])
    found = helper_quest(quest_id=world.passport_quest.pk, helper=world.helper)
    mandate_revoke(mandate=mandate, by=world.citizen)
    with pytest.raises(MandateRefused):
        helper_step_save(
            helper=world.helper,
            mandate=found.mandate,
            quest=found.quest,
            step=step(world.passport_quest, "identite"),
            data={"nom": "X"},
        )
    assert not MandateJournalEntry.objects.filter(action=JournalAction.STEP_SAVED).exists()


def test_documents_of_the_domains_only(client, world):
    grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.helper)
    response = client.get(reverse("citizen:helper-document", args=[world.passport_doc.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert MandateJournalEntry.objects.filter(
        action=JournalAction.DOCUMENT_DOWNLOADED, document_id=world.passport_doc.pk
    ).exists()
    assert client.get(reverse("citizen:helper-document", args=[world.tax_doc.pk])).status_code == 404
    # A type without a domain is never shown to a helper.
    assert client.get(reverse("citizen:helper-document", args=[world.other_doc.pk])).status_code == 404
    page = client.get(reverse("citizen:helper-space")).content.decode()
    assert "Mon passeport" in page and "Avis 2025" not in page and "Divers" not in page


def test_the_journal_is_append_only(world):
    mandate = grant(world.citizen, world.helper)
    entry = MandateJournalEntry.objects.get(mandate=mandate)
    entry.details = {"changed": True}
    with pytest.raises(JournalIsAppendOnly):
        entry.save()
    with pytest.raises(JournalIsAppendOnly):
        MandateJournalEntry.objects.filter(pk=entry.pk).update(details={})
    with pytest.raises(JournalIsAppendOnly):
        MandateJournalEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(JournalIsAppendOnly):
        entry.delete()


def test_the_citizen_reads_the_journal_another_user_cannot(client, world):
    mandate = grant(world.citizen, world.helper)
    client.force_login(world.citizen)
    page = client.get(reverse("citizen:mandate-journal", args=[mandate.pk])).content.decode()
    assert "Mandat donné" in page
    client.force_login(world.helper)
    assert client.get(reverse("citizen:mandate-journal", args=[mandate.pk])).status_code == 404


def test_the_citizens_own_quest_page_costs_no_more_queries(client, world, django_assert_num_queries):
    """The citizen's path reads the quest exactly as before: the mandate is looked for only when it is not theirs."""
    client.force_login(world.citizen)
    url = reverse("citizen:quest", args=[world.passport_quest.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not any("mandates_" in query["sql"] for query in queries.captured_queries)


def test_the_helper_space_lists_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    grant(world.citizen, world.helper, ["papiers", "argent"])
    client.force_login(world.helper)
    client.get(reverse("citizen:helper-space"))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("citizen:helper-space")).content.decode()
    assert "Passeport" in page and "Impôt sur le revenu" in page


def test_the_workflow_takes_a_helper_only_when_the_use_case_checked_the_mandate(world):
    from civiquest.quests import transitions
    from civiquest.quests.errors import TransitionForbidden
    from tests.accounts.factories import AgentFactory

    quest = fill(world.passport_quest)
    grant(world.citizen, world.helper, ["papiers"])
    # Holding a mandate is not enough: quests never infer it, the use case says it checked it.
    with pytest.raises(TransitionForbidden):
        transitions.quest_submit(quest=quest, actor=world.helper)
    # Only a citizen account may be taken as a helper.
    with pytest.raises(TransitionForbidden):
        transitions.quest_submit(quest=quest, actor=AgentFactory(), mandate_checked=True)
    transition = transitions.quest_submit(quest=quest, actor=world.helper, mandate_checked=True)
    assert transition.actor_role == ActorRole.HELPER


def test_a_helper_attaches_only_documents_of_the_mandates_domains(world):
    from civiquest.actions.mandates import helper_step_save
    from civiquest.documents.models import DocumentType
    from civiquest.quests.models import Answer
    from civiquest.social.mandates.services import MandateRefused
    from tests.catalogue.factories import DocumentFactory
    from tests.quests.fixtures import step

    grant(world.citizen, world.helper, ["papiers"])
    found = helper_quest(quest_id=world.passport_quest.pk, helper=world.helper)
    pieces = step(world.passport_quest, "pieces")
    photo = DocumentFactory(owner=world.citizen, type=DocumentType.ID_PHOTO)
    bill = DocumentFactory(owner=world.citizen, type=DocumentType.PROOF_OF_ADDRESS)
    with pytest.raises(MandateRefused):
        helper_step_save(
            helper=world.helper,
            mandate=found.mandate,
            quest=found.quest,
            step=pieces,
            data={"pieces.id_photo": photo.pk, "pieces.proof_of_address": bill.pk},
        )
    assert not Answer.objects.filter(quest=world.passport_quest).exists()
    helper_step_save(
        helper=world.helper, mandate=found.mandate, quest=found.quest, step=pieces, data={"pieces.id_photo": photo.pk}
    )
    assert Answer.objects.get(quest=world.passport_quest, field_name="pieces.id_photo").value == photo.pk


def test_the_journal_page_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.helper)
    for _ in range(3):
        client.post(step_url(world.passport_quest, "identite"), IDENTITY)
    client.force_login(world.citizen)
    url = reverse("citizen:mandate-journal", args=[mandate.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    assert page.count("Étape enregistrée") == 3


def test_the_documents_step_offers_the_helper_only_documents_of_the_domains(helper_client, world):
    from civiquest.documents.models import DocumentType
    from tests.catalogue.factories import DocumentFactory

    grant(world.citizen, world.helper, ["papiers"])
    DocumentFactory(owner=world.citizen, type=DocumentType.ID_PHOTO, title="Photo de Camille")
    DocumentFactory(owner=world.citizen, type=DocumentType.PROOF_OF_ADDRESS, title="Facture EDF")
    DocumentFactory(owner=world.helper, type=DocumentType.ID_PHOTO, title="Photo de l’aidante")
    page = helper_client.get(step_url(world.passport_quest, "pieces")).content.decode()
    assert "Photo de Camille" in page
    assert "Facture EDF" not in page and "Avis 2025" not in page and "Photo de l’aidante" not in page
