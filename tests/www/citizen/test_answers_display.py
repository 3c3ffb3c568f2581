"""Answers shown the French way on the citizen's recap and the agent's dossier (issue 20): stored values stay ISO."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.catalogue.models import FieldKind, Step, StepKind
from civiquest.quests.models import Answer
from civiquest.quests.services import answers_save, quest_start
from tests.catalogue.factories import published
from tests.instruction.helpers import submitted_quest

NNBSP = "\u202f"

CONTACT_STEPS = [
    {
        "slug": "coordonnees",
        "title": "Vos coordonnées",
        "kind": StepKind.FORM,
        "fields": [
            {"name": "naissance", "label": "Date de naissance", "kind": FieldKind.DATE},
            {"name": "telephone", "label": "Téléphone", "kind": FieldKind.PHONE},
            {"name": "loyer", "label": "Loyer mensuel", "kind": FieldKind.NUMBER, "decimal_places": 2},
        ],
    },
]


@pytest.fixture
def contact_quest(citizen):
    procedure, _revision = published(CONTACT_STEPS, slug="coordonnees-test", title="Coordonnées")
    quest = quest_start(citizen=citizen, procedure=procedure)
    step = Step.objects.get(revision=quest.revision, slug="coordonnees")
    data = {"naissance": "1962-08-24", "telephone": "06 12 34 56 78", "loyer": "1234,5"}
    assert answers_save(quest=quest, step=step, data=data).errors == {}
    return quest


def test_the_recap_shows_a_date_in_words_a_phone_as_dialled_and_an_amount_grouped(client, citizen, contact_quest):
    client.force_login(citizen)
    response = client.get(reverse("citizen:quest-review", kwargs={"quest_id": contact_quest.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "24 août 1962" in page and "1962-08-24" not in page
    assert "06 12 34 56 78" in page and "+33612345678" not in page
    assert f"1{NNBSP}234,50" in page
    # Stored machine-readable, as exports read them.
    stored = dict(Answer.objects.filter(quest=contact_quest).values_list("field_name", "value"))
    assert stored == {"naissance": "1962-08-24", "telephone": "+33612345678", "loyer": "1234.50"}


def test_the_recap_is_in_english_with_english_months(client, citizen, contact_quest):
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("citizen:quest-review", kwargs={"quest_id": contact_quest.pk}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Aug. 24, 1962" in page and "1,234.50" in page


def test_the_agent_dossier_shows_the_birth_date_in_words(client, passport, instructor, login_verified):
    quest = submitted_quest(passport)
    login_verified(client, instructor)
    page = client.get(reverse("agent:quest", args=[quest.pk])).content.decode()
    assert "17 mai 1990" in page and "1990-05-17" not in page
