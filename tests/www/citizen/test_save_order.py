"""Saves of one step page land in the order they were made (``quests.edits``).

An autosave in flight when "Enregistrer et continuer" is pressed can be served after that
submit (several threads or processes serve): it must not put its older answers over the later
ones, nor move the quest back to the step just done.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from civiquest.quests.edits import edit_mark_parse
from civiquest.quests.models import Answer, Quest, StepProgress
from civiquest.quests.services import quest_start
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, published

HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = "a" * 32

pytestmark = pytest.mark.django_db


@pytest.fixture
def quest(citizen, client):
    procedure, _revision = published(INSTRUCTED_STEPS, service=ServiceFactory(), slug="titre-test", title="Titre")
    client.force_login(citizen)
    return quest_start(citizen=citizen, procedure=procedure)


def step_url(quest: Quest) -> str:
    return reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": "identite"})


def stored(quest: Quest) -> dict:
    return dict(Answer.objects.filter(quest=quest).values_list("field_name", "value"))


def identity_done(quest: Quest) -> bool:
    return StepProgress.objects.filter(quest=quest, step__slug="identite", done_at__isnull=False).exists()


def test_an_autosave_served_after_the_submit_it_preceded_changes_nothing(client, quest):
    # The submit holds 3 edits; the autosave sent at the second edit (the name half typed) lands after it.
    submitted = {"nom": "Martin", "naissance": "1990-05-17", "premiere_demande": "oui", "action": "continue"}
    response = client.post(step_url(quest), {**submitted, "edit_page": PAGE, "edit_seq": "3"})
    assert response.status_code == 302
    assert identity_done(quest)
    next_step = Quest.objects.get(pk=quest.pk).current_step

    late = {"nom": "Mar", "naissance": "1990-05-17", "edit_page": PAGE, "edit_seq": "2"}
    response = client.post(step_url(quest), late, **HTMX)
    # Told saved (the later save holds this edit too), and nothing written.
    assert response.status_code == 200
    assert response["X-Autosave"] == "saved"
    assert stored(quest)["nom"] == "Martin"
    assert identity_done(quest)
    assert Quest.objects.get(pk=quest.pk).current_step == next_step


def test_autosaves_of_one_page_out_of_order_keep_the_latest_edit(client, quest):
    client.post(step_url(quest), {"nom": "Martine", "edit_page": PAGE, "edit_seq": "5"}, **HTMX)
    client.post(step_url(quest), {"nom": "Mart", "edit_page": PAGE, "edit_seq": "4"}, **HTMX)
    assert stored(quest)["nom"] == "Martine"


def test_a_newer_edit_or_another_page_is_applied(client, quest):
    client.post(step_url(quest), {"nom": "Martin", "edit_page": PAGE, "edit_seq": "5"}, **HTMX)
    client.post(step_url(quest), {"nom": "Martine", "edit_page": PAGE, "edit_seq": "6"}, **HTMX)
    assert stored(quest)["nom"] == "Martine"
    # A page shown later (another tab, the page reloaded) counts its own edits from zero.
    client.post(step_url(quest), {"nom": "Dupont", "edit_page": "b" * 32, "edit_seq": "1"}, **HTMX)
    assert stored(quest)["nom"] == "Dupont"
    # Without the mark (no JavaScript: a plain submit), a save is applied as sent.
    client.post(step_url(quest), {"nom": "Durand", "edit_page": PAGE, "edit_seq": "", "action": "save"})
    assert stored(quest)["nom"] == "Durand"


def test_each_shown_page_carries_its_own_token_and_an_empty_count(client, quest):
    first = client.get(step_url(quest)).content.decode()
    second = client.get(step_url(quest)).content.decode()
    tokens = [re.search(r'name="edit_page" value="([0-9a-f]{32})"', page).group(1) for page in (first, second)]
    assert tokens[0] != tokens[1]
    assert 'name="edit_seq" value="" data-edit-seq' in first


@pytest.mark.parametrize(
    ("page", "seq"),
    [("", "3"), (PAGE, ""), (PAGE, "-1"), (PAGE, "3.5"), ("a" * 33, "3"), ("<script>", "3"), (PAGE, "9" * 10)],
)
def test_a_malformed_mark_is_ignored_and_the_save_applied(client, quest, page, seq):
    assert edit_mark_parse(page, seq) is None
    client.post(step_url(quest), {"nom": "Martin", "edit_page": PAGE, "edit_seq": "7"}, **HTMX)
    client.post(step_url(quest), {"nom": "Martine", "edit_page": page, "edit_seq": seq}, **HTMX)
    assert stored(quest)["nom"] == "Martine"
