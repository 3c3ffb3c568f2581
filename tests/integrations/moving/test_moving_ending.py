"""The change-of-address quest ends saying where the new address went, each organisation's answer, and what follows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from civiquest.actions.quests import quest_step_complete
from civiquest.catalogue.services import revision_loaded
from civiquest.integrations.address.moving.models import MoveDeclaration
from civiquest.integrations.address.moving.organisations import ORGANISATIONS
from civiquest.quests.models import QuestState
from tests.integrations.moving.conftest import GOOD_REFERENCES, NOUMEA
from tests.integrations.moving.test_moving import declare

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return " ".join(html.split())


def test_the_moving_quest_ends_with_who_received_the_new_address(
    recipients, moving_quest, citizen, client, login_verified, django_capture_on_commit_callbacks
):
    quest = moving_quest(citizen, ("impots", "caf"))
    steps = {step.slug: step for step in revision_loaded(quest.revision_id).steps.all()}
    quest_step_complete(quest=quest, step=steps["a-savoir"])
    quest_step_complete(quest=quest, step=steps["nouvelle-adresse"])
    login_verified(client, citizen)
    url = reverse("citizen:quest", args=[quest.pk])
    assert "data-ending" not in client.get(url).content.decode()
    declare(client, quest, GOOD_REFERENCES, django_capture_on_commit_callbacks)
    quest.refresh_from_db()
    # The declaration fills the last required step: the guided quest is over.
    assert quest.state == QuestState.COMPLETED
    declaration = MoveDeclaration.objects.get(quest=quest)
    page = text(client.get(url).content.decode())
    ending = page.split("data-ending>")[1].split("</div>")[0]
    today = formats.date_format(timezone.localdate(), "j F Y")
    assert "Votre démarche est terminée</h2>" in ending
    assert f"(dossier n° {quest.reference}) le {today}." in ending
    assert (
        f"Votre déclaration n° {declaration.reference} (nouvelle adresse : {NOUMEA['label']}) "
        f"a été transmise le {today} à :"
    ) in ending
    # Each organisation with its own answer: the tax office took it at once, the CAF received it.
    assert f'{ORGANISATIONS["impots"].label} <span class="fr-text--sm">— Prise en compte</span>' in ending
    assert f'{ORGANISATIONS["caf"].label} <span class="fr-text--sm">— Reçue par l’organisme</span>' in ending
    assert f"Numéro de la déclaration : <strong>{declaration.reference}</strong>" in ending
    assert "sa réponse s’affiche sur la page de suivi dès qu’elle arrive" in ending
    assert reverse("citizen:moving-quest", args=[quest.pk]) in ending
    # What is left is optional, and offered as such.
    assert reverse("citizen:quest-step", args=[quest.pk, "ensuite"]) in ending
    assert "Aucun délai n’est fixé" in ending
