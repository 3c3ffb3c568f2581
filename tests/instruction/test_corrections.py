"""Corrections per field: only the answers the agent points at are reopened, each with its comment,
and the agent reads what changed since the request, field by field."""

import pytest

from civiquest.actions import instruction as decisions
from civiquest.actions.quests import quest_step_save, quest_submit
from civiquest.instruction import corrections, marks
from civiquest.instruction import services as instruction
from civiquest.instruction.models import QuestChangeKind, QuestMark
from civiquest.quests.models import Answer, QuestState
from tests.instruction.helpers import submitted_quest
from tests.quests.fixtures import step

S = QuestState


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


def answer(quest, name):
    return Answer.objects.filter(quest=quest, field_name=name).values_list("value", flat=True).first()


def ask(quest, instructor, **kwargs):
    kwargs.setdefault("message", "")
    return decisions.quest_request_changes(quest=quest, actor=instructor, **kwargs)


def test_the_fields_pointed_at_with_a_comment_are_the_only_ones_reopened(quest, instructor):
    request = ask(
        quest,
        instructor,
        message="Deux réponses à revoir.",
        comments={"nom": "Le nom est mal orthographié.", "naissance": "  La date ne correspond pas.  ", "x": " "},
    )
    quest.refresh_from_db()
    assert quest.state == S.CHANGES_REQUESTED
    assert request.targets == ["nom", "naissance"]
    assert request.comments == {"nom": "Le nom est mal orthographié.", "naissance": "La date ne correspond pas."}
    assert quest.open_inputs == ["naissance", "nom"]
    assert request.answers_before == {"nom": "Martin", "naissance": "1990-05-17"}


def test_the_citizen_changes_an_answer_asked_for_but_not_another(quest, instructor):
    ask(quest, instructor, comments={"nom": "Mal orthographié"})
    quest.refresh_from_db()
    saved = quest_step_save(
        quest=quest, step=step(quest, "identite"), data={"nom": "Martinez", "naissance": "1980-01-01"}
    )
    assert saved.errors == {"naissance": "Le service n’a pas demandé de corriger cette réponse."}
    assert answer(quest, "nom") == "Martinez"
    assert answer(quest, "naissance") == "1990-05-17"
    # The same answer posted again (a whole form sent back) is no change, and no error.
    again = quest_step_save(quest=quest, step=step(quest, "identite"), data={"naissance": "1990-05-17"})
    assert again.errors == {}


def test_a_whole_step_reopens_each_of_its_inputs_and_its_documents(quest, instructor):
    ask(quest, instructor, comments={"step:identite": "Tout est à revoir."})
    quest.refresh_from_db()
    assert set(quest.open_inputs) == {"step:identite", "nom", "naissance", "premiere_demande"}
    saved = quest_step_save(quest=quest, step=step(quest, "identite"), data={"naissance": "1991-05-17"})
    assert saved.errors == {}
    refused = quest_step_save(
        quest=quest, step=step(quest, "pre-demande"), data={"pre-demande.reference": "ZZ99ZZ99ZZ"}
    )
    assert "pre-demande.reference" in refused.errors


def test_a_request_naming_nothing_reopens_the_whole_quest(quest, instructor):
    ask(quest, instructor, message="Merci de tout relire.")
    quest.refresh_from_db()
    assert quest.open_inputs is None
    saved = quest_step_save(quest=quest, step=step(quest, "pre-demande"), data={"pre-demande.reference": "ZZ99ZZ99ZZ"})
    assert saved.errors == {}


def test_resubmission_keeps_the_answers_for_the_diff_and_gives_every_input_back(quest, instructor):
    request = ask(quest, instructor, comments={"nom": "Mal orthographié", "naissance": "À vérifier"})
    quest.refresh_from_db()
    quest_step_save(quest=quest, step=step(quest, "identite"), data={"nom": "Martinez"})
    quest_submit(quest=quest, actor=quest.citizen)
    request.refresh_from_db()
    quest.refresh_from_db()
    assert quest.open_inputs is None
    assert request.closed_at is not None
    assert request.answers_after == {"nom": "Martinez", "naissance": "1990-05-17"}
    changes = {change.target: change for change in corrections.correction_changes(request=request, quest=quest)}
    assert changes["nom"].before == "Martin" and changes["nom"].after == "Martinez" and changes["nom"].changed
    assert changes["nom"].comment == "Mal orthographié"
    assert changes["naissance"].changed is False
    assert changes["naissance"].before == changes["naissance"].after == "17 mai 1990"
    # Answers changed later (another request) do not rewrite what this one saw.
    decisions.quest_start_review(quest=quest, actor=instructor)
    ask(quest, instructor, comments={"nom": "Encore"})
    quest.refresh_from_db()
    quest_step_save(quest=quest, step=step(quest, "identite"), data={"nom": "Dupont"})
    assert corrections.correction_changes(request=request, quest=quest)[0].after == "Martinez"


def test_while_open_the_diff_compares_with_the_current_answers(quest, instructor):
    request = ask(quest, instructor, comments={"nom": "Mal orthographié"})
    quest.refresh_from_db()
    assert corrections.correction_changes(request=request, quest=quest)[0].changed is False
    quest_step_save(quest=quest, step=step(quest, "identite"), data={"nom": "Martinez"})
    assert corrections.correction_changes(request=request, quest=quest)[0].after == "Martinez"


def test_the_message_may_be_left_out_when_fields_are_pointed_at(quest, instructor):
    request = ask(quest, instructor, comments={"nom": "Mal orthographié"})
    assert request.message == "Corrections demandées : Votre identité — Nom."
    with pytest.raises(instruction.InstructionRefused):
        decisions.quest_request_changes(quest=submitted_quest(quest.procedure), actor=instructor, message=" ")


def test_only_steps_and_inputs_that_apply_to_this_quest_may_be_pointed_at(quest, instructor):
    targets = corrections.correctable_targets(quest)
    assert "nom" in targets and "step:identite" in targets
    # A first request: the loss declaration and the old passport number do not apply.
    assert "step:perte" not in targets and "ancien_numero" not in targets and "motif" not in targets
    # Nothing for the steps the citizen has nothing to give in.
    assert "step:avant-de-commencer" not in targets and "step:instruction" not in targets
    with pytest.raises(instruction.InstructionRefused):
        ask(quest, instructor, comments={"motif": "?"})
    quest.refresh_from_db()
    assert quest.state == S.SUBMITTED and quest.open_inputs is None


def test_the_same_request_again_is_a_retry_and_a_different_one_adds_to_it(quest, instructor):
    first = ask(quest, instructor, comments={"nom": "Mal orthographié"})
    assert ask(quest, instructor, comments={"nom": "Mal orthographié"}) == first
    second = ask(quest, instructor, comments={"nom": "Mal orthographié", "naissance": "Aussi"})
    assert second != first
    quest.refresh_from_db()
    assert quest.open_inputs == ["naissance", "nom"]


def test_closing_the_quest_during_a_correction_closes_the_request(quest, instructor):
    request = ask(quest, instructor, comments={"nom": "Mal orthographié"})
    decisions.quest_close(quest=quest, actor=instructor, motivation="Plus de nouvelles")
    request.refresh_from_db()
    quest.refresh_from_db()
    assert request.closed_at is not None and quest.open_inputs is None


def test_the_agent_who_asks_follows_the_quest_and_is_told_of_the_resubmission(quest, instructor):
    ask(quest, instructor, comments={"nom": "Mal orthographié"})
    quest.refresh_from_db()
    assert marks.is_following(agent=instructor, quest=quest)
    quest_submit(quest=quest, actor=quest.citizen)
    assert QuestMark.objects.filter(agent=instructor, quest=quest, kind=QuestChangeKind.RESUBMITTED).exists()
