"""Rewards from real quests driven through the procedures services."""

import pytest
from django.contrib.contenttypes.models import ContentType

from civiquest.actions.quests import quest_start, quest_transition
from civiquest.actions.quests import quest_step_complete as step_complete
from civiquest.progress import xp
from civiquest.progress.models import XpEntry
from civiquest.progress.rewards import REASON_DONE, REASON_REOPENED, REASON_STEP, REASON_STEP_DECLARED
from civiquest.quests.models import Quest, QuestState, StepProgress
from tests.quests.fixtures import step

pytestmark = pytest.mark.django_db


def lines(citizen):
    return list(XpEntry.objects.filter(citizen=citizen).order_by("pk").values_list("reason", "amount"))


def test_steps_earn_full_if_verified_half_if_declared(ready_quest):
    citizen = ready_quest.citizen
    # info (declared: 10 → 5), identity form, outside-service reference, documents (verified: 10 each).
    assert lines(citizen) == [
        (REASON_STEP_DECLARED, 5),
        (REASON_STEP, 10),
        (REASON_STEP, 10),
        (REASON_STEP, 10),
    ]
    declared = XpEntry.objects.get(citizen=citizen, reason=REASON_STEP_DECLARED)
    assert declared.self_declared is True
    assert declared.source_type == ContentType.objects.get_for_model(StepProgress)


def test_step_xp_overrides_the_revision_value(citizen, passport):
    from civiquest.catalogue.models import Step

    revision = passport.revisions.get()
    Step.objects.filter(revision=revision, slug="avant-de-commencer").update(xp=30)
    quest = quest_start(citizen=citizen, procedure=passport)
    step_complete(quest=quest, step=step(quest, "avant-de-commencer"))
    assert lines(citizen) == [(REASON_STEP_DECLARED, 15)]


def test_undo_and_redo_a_step_earns_once(ready_quest):
    from civiquest.quests.services import answers_save

    citizen = ready_quest.citizen
    before = xp.balance_of(citizen)
    identity = step(ready_quest, "identite")
    # Breaking the answers undoes the step; fixing them and completing again earns nothing more.
    answers_save(
        quest=ready_quest, step=identity, data={"nom": "", "naissance": "1990-05-17", "premiere_demande": "oui"}
    )
    answers_save(
        quest=ready_quest, step=identity, data={"nom": "Martin", "naissance": "1990-05-17", "premiere_demande": "oui"}
    )
    step_complete(quest=ready_quest, step=identity)
    assert xp.balance_of(citizen) == before


def test_acceptance_earns_completion_and_reopening_reverses_it(ready_quest, instructor, manager, accept):
    citizen = ready_quest.citizen
    steps_total = xp.balance_of(citizen)
    quest = accept(ready_quest, instructor)
    assert xp.balance_of(citizen) == steps_total + 50
    done = XpEntry.objects.get(citizen=citizen, reason=REASON_DONE)
    assert done.source_type == ContentType.objects.get_for_model(Quest) and done.source_id == quest.pk

    quest_transition(quest=quest, to_state=QuestState.IN_REVIEW, actor=manager, motivation="Pièce à revoir")
    assert xp.balance_of(citizen) == steps_total
    reversal = XpEntry.objects.get(citizen=citizen, reason=REASON_REOPENED)
    assert reversal.amount == -50 and reversal.reverses == done
    assert steps_total < 50 <= steps_total + 50
    assert xp.level_of(citizen).level == 2  # reached with the completion, kept after its reversal

    # Accepted again: the completion reward comes back, once.
    quest_transition(quest=quest, to_state=QuestState.ACCEPTED, actor=instructor)
    assert xp.balance_of(citizen) == steps_total + 50
    assert XpEntry.objects.filter(citizen=citizen, reason=REASON_DONE).count() == 2


def test_a_guided_quest_completed_earns_completion(citizen, moving):
    from civiquest.quests.services import answers_save

    quest = quest_start(citizen=citizen, procedure=moving)
    step_complete(quest=quest, step=step(quest, "a-savoir"))
    answers_save(quest=quest, step=step(quest, "situation"), data={"nouvelle_commune": "98818"})
    step_complete(quest=quest, step=step(quest, "situation"))
    answers_save(quest=quest, step=step(quest, "teleservice"), data={"teleservice.reference": "12345678"})
    step_complete(quest=quest, step=step(quest, "teleservice"))
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED
    assert (REASON_DONE, 50) in lines(citizen)
    # First quest: level 2 (5 + 10 + 10 + 50 = 75).
    assert xp.balance_of(citizen) == 75
    assert xp.level_of(citizen).level == 2


def test_no_xp_for_page_views(client, citizen, login_verified, passport):
    login_verified(client, citizen)
    for url in ("/mon-espace/progression/", f"/demarches/{passport.slug}/", "/mes-demarches/"):
        client.get(url)
    assert not XpEntry.objects.filter(citizen=citizen).exists()
