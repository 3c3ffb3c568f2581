import threading

import pytest
from django.db import connection

from civiquest.accounts.models import ServiceRole
from civiquest.catalogue.models import FieldKind, StepKind
from civiquest.quests import workflow
from civiquest.quests.errors import (
    IllegalTransition,
    MotivationRequired,
    QuestIncomplete,
    QuestNotEditable,
    TransitionForbidden,
)
from civiquest.quests.models import ActorRole, Answer, Quest, QuestState, QuestTransition, StepProgress
from civiquest.quests.services import answers_save, quest_start, step_complete
from civiquest.quests.transitions import quest_submit, quest_transition
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory
from tests.catalogue.factories import GUIDED_STEPS, INSTRUCTED_STEPS, ServiceFactory, member_of, published
from tests.quests.fixtures import fill, step

S = QuestState
ALL_STATES = list(QuestState)
LEGAL = [(source, rule) for rule in workflow.RULES for source in sorted(rule.sources)]
REFUSED = [
    (source, target)
    for source in ALL_STATES
    for target in ALL_STATES
    if source != target and workflow.rule_for(source, target) is None
]


def put_in_state(quest: Quest, state: str) -> Quest:
    Quest.objects.filter(pk=quest.pk).update(state=state)
    quest.refresh_from_db()
    return quest


def history(quest: Quest) -> list[tuple[str, str]]:
    return list(QuestTransition.objects.filter(quest=quest).order_by("at", "pk").values_list("from_state", "to_state"))


@pytest.fixture
def guided_done(citizen, moving):
    """A guided quest, still a draft, whose required steps are all done (progress written directly)."""
    quest = quest_start(citizen=citizen, procedure=moving)
    answers_save(quest=quest, step=step(quest, "situation"), data={"nouvelle_commune": "75056"})
    answers_save(quest=quest, step=step(quest, "teleservice"), data={"teleservice.reference": "12345678"})
    for slug in ("a-savoir", "situation", "teleservice"):
        StepProgress.objects.create(quest=quest, step=step(quest, slug), done_at="2026-01-01T10:00:00Z")
    return quest


def test_the_table_has_the_transitions_of_the_issue():
    assert {(source, rule.target) for source, rule in LEGAL} == {
        (S.DRAFT, S.SUBMITTED),
        (S.CHANGES_REQUESTED, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.CHANGES_REQUESTED),
        (S.IN_REVIEW, S.ACCEPTED),
        (S.IN_REVIEW, S.REJECTED),
        (S.SUBMITTED, S.CLOSED),
        (S.IN_REVIEW, S.CLOSED),
        (S.CHANGES_REQUESTED, S.CLOSED),
        (S.DRAFT, S.COMPLETED),
        (S.ACCEPTED, S.IN_REVIEW),
        (S.REJECTED, S.IN_REVIEW),
        (S.CLOSED, S.IN_REVIEW),
    }
    assert len(LEGAL) + len(REFUSED) + len(ALL_STATES) == len(ALL_STATES) ** 2


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "rule"), LEGAL, ids=[f"{s}->{r.target}" for s, r in LEGAL])
def test_every_legal_transition(source, rule, ready_quest, guided_done, instructor, manager):
    quest = guided_done if rule.name == "complete" else ready_quest
    actor = {ActorRole.CITIZEN: quest.citizen, ActorRole.AGENT: instructor, ActorRole.MANAGER: manager}[rule.by]
    put_in_state(quest, source)
    before = QuestTransition.objects.filter(quest=quest).count()
    transition = quest_transition(quest=quest, to_state=rule.target, actor=actor, motivation="  Motif donné. ")
    assert (transition.from_state, transition.to_state) == (source, rule.target)
    assert transition.actor == actor
    assert transition.actor_role == rule.by
    assert transition.motivation == "Motif donné."
    assert quest.state == rule.target
    quest.refresh_from_db()
    assert quest.state == rule.target
    assert QuestTransition.objects.filter(quest=quest).count() == before + 1
    if rule.target == S.SUBMITTED:
        assert quest.submitted_at == transition.at
    if rule.target in workflow.FINAL_STATES:
        assert quest.decided_at == transition.at
    if rule.name == "reopen":
        assert quest.decided_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{s}->{t}" for s, t in REFUSED])
def test_every_refused_transition(source, target, ready_quest, manager):
    # The actor could take a transition to this target from elsewhere: the state alone refuses it.
    actor = ready_quest.citizen if target in (S.SUBMITTED, S.COMPLETED, S.DRAFT) else manager
    put_in_state(ready_quest, source)
    before = history(ready_quest)
    with pytest.raises(IllegalTransition) as error:
        quest_transition(quest=ready_quest, to_state=target, actor=actor, motivation="Motif")
    assert type(error.value) is IllegalTransition
    assert error.value.message
    ready_quest.refresh_from_db()
    assert ready_quest.state == source
    assert history(ready_quest) == before


@pytest.mark.django_db
class TestRefusals:
    def test_a_clear_translated_message(self, draft_quest, instructor):
        with pytest.raises(IllegalTransition) as error:
            quest_transition(quest=draft_quest, to_state=S.ACCEPTED, actor=instructor)
        assert error.value.message == "Un dossier dans l’état « Brouillon » ne peut pas passer à l’état « Accepté »."

    def test_a_submitted_quest_cannot_be_submitted_from_a_later_state(self, ready_quest):
        put_in_state(ready_quest, S.IN_REVIEW)
        with pytest.raises(IllegalTransition, match="déjà été déposé"):
            quest_submit(quest=ready_quest, actor=ready_quest.citizen)

    def test_the_draft_state_is_never_a_target(self, draft_quest):
        with pytest.raises(IllegalTransition, match="déjà dans l’état « Brouillon »"):
            quest_transition(quest=draft_quest, to_state=S.DRAFT, actor=draft_quest.citizen)

    def test_only_the_quests_citizen_submits(self, ready_quest, instructor):
        for actor in (CitizenFactory(), instructor, StaffFactory()):
            with pytest.raises(TransitionForbidden):
                quest_submit(quest=ready_quest, actor=actor)
        assert Quest.objects.get(pk=ready_quest.pk).state == S.DRAFT

    @pytest.mark.parametrize("target", [S.IN_REVIEW, S.CLOSED])
    def test_only_agents_of_the_instructing_service_instruct(self, ready_quest, target):
        quest_submit(quest=ready_quest, actor=ready_quest.citizen)
        other_service_agent = member_of(ServiceFactory(), ServiceRole.MANAGER)
        for actor in (ready_quest.citizen, AgentFactory(), other_service_agent, StaffFactory()):
            with pytest.raises(TransitionForbidden):
                quest_transition(quest=ready_quest, to_state=target, actor=actor, motivation="Motif")

    def test_an_inactive_agent_cannot_act(self, ready_quest, instructor):
        quest_submit(quest=ready_quest, actor=ready_quest.citizen)
        instructor.is_active = False
        instructor.save()
        with pytest.raises(TransitionForbidden):
            quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=instructor)

    @pytest.mark.parametrize("decided", [S.ACCEPTED, S.REJECTED, S.CLOSED])
    def test_only_a_manager_reopens(self, ready_quest, instructor, manager, decided):
        put_in_state(ready_quest, decided)
        with pytest.raises(TransitionForbidden, match="responsable"):
            quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=instructor, motivation="Erreur")
        transition = quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=manager, motivation="Erreur")
        assert transition.actor_role == ActorRole.MANAGER

    @pytest.mark.parametrize(
        ("source", "target"),
        [
            (S.IN_REVIEW, S.CHANGES_REQUESTED),
            (S.IN_REVIEW, S.REJECTED),
            (S.SUBMITTED, S.CLOSED),
            (S.IN_REVIEW, S.CLOSED),
            (S.CHANGES_REQUESTED, S.CLOSED),
            (S.ACCEPTED, S.IN_REVIEW),
        ],
    )
    def test_motivation_required(self, ready_quest, manager, source, target):
        put_in_state(ready_quest, source)
        for motivation in ("", "   \n"):
            with pytest.raises(MotivationRequired, match="Motivez"):
                quest_transition(quest=ready_quest, to_state=target, actor=manager, motivation=motivation)
        assert Quest.objects.get(pk=ready_quest.pk).state == source

    def test_acceptance_needs_no_motivation(self, ready_quest, instructor):
        put_in_state(ready_quest, S.IN_REVIEW)
        assert quest_transition(quest=ready_quest, to_state=S.ACCEPTED, actor=instructor).motivation == ""

    def test_an_incomplete_quest_is_not_submitted(self, draft_quest):
        answers_save(quest=draft_quest, step=step(draft_quest, "identite"), data={"nom": "Martin"})
        with pytest.raises(QuestIncomplete) as error:
            quest_submit(quest=draft_quest, actor=draft_quest.citizen)
        assert set(error.value.steps) == {"avant-de-commencer", "identite", "pre-demande", "pieces"}
        assert error.value.steps["pieces"] == "L’étape « Vos pièces justificatives » n’est pas terminée."
        # Only required steps, and the inputs of steps done or required, are asked for.
        assert error.value.fields["naissance"] == "« Date de naissance » est obligatoire."
        assert "preparer.checklist" not in error.value.fields
        assert history(draft_quest) == [("", S.DRAFT)]

    def test_answers_changed_after_a_step_was_done_are_checked_again(self, ready_quest):
        # A renewal now: the loss step and the old passport number appear and are required.
        answers_save(quest=ready_quest, step=step(ready_quest, "identite"), data={"premiere_demande": "non"})
        with pytest.raises(QuestIncomplete) as error:
            quest_submit(quest=ready_quest, actor=ready_quest.citizen)
        assert "perte" in error.value.steps
        assert "ancien_numero" in error.value.fields

    def test_a_guided_quest_is_not_submitted(self, guided_done):
        with pytest.raises(IllegalTransition, match="site officiel"):
            quest_submit(quest=guided_done, actor=guided_done.citizen)

    def test_an_instructed_quest_does_not_complete_on_its_own(self, ready_quest):
        with pytest.raises(IllegalTransition, match="déposé auprès du service"):
            quest_transition(quest=ready_quest, to_state=S.COMPLETED, actor=ready_quest.citizen)


@pytest.mark.django_db
class TestIdempotence:
    def test_submitting_twice_is_one_submission(self, ready_quest):
        first = quest_submit(quest=ready_quest, actor=ready_quest.citizen)
        stale = Quest.objects.get(pk=ready_quest.pk)
        second = quest_submit(quest=stale, actor=ready_quest.citizen)
        assert second == first
        assert history(ready_quest) == [("", S.DRAFT), (S.DRAFT, S.SUBMITTED)]

    def test_a_second_tab_with_a_stale_draft_gets_the_submission(self, ready_quest):
        stale = Quest.objects.get(pk=ready_quest.pk)
        first = quest_submit(quest=ready_quest, actor=ready_quest.citizen)
        assert stale.state == S.DRAFT
        assert quest_submit(quest=stale, actor=ready_quest.citizen) == first
        assert stale.state == S.SUBMITTED

    def test_a_double_click_on_accept_is_one_decision(self, ready_quest, instructor):
        put_in_state(ready_quest, S.IN_REVIEW)
        first = quest_transition(quest=ready_quest, to_state=S.ACCEPTED, actor=instructor)
        assert quest_transition(quest=ready_quest, to_state=S.ACCEPTED, actor=instructor) == first
        assert QuestTransition.objects.filter(quest=ready_quest, to_state=S.ACCEPTED).count() == 1

    def test_it_still_checks_the_actor(self, ready_quest):
        quest_submit(quest=ready_quest, actor=ready_quest.citizen)
        with pytest.raises(TransitionForbidden):
            quest_submit(quest=ready_quest, actor=CitizenFactory())


@pytest.mark.django_db
def test_a_whole_instruction_with_changes_asked_and_a_reopening(ready_quest, instructor, manager):
    citizen = ready_quest.citizen
    quest_submit(quest=ready_quest, actor=citizen)
    with pytest.raises(QuestNotEditable):
        answers_save(quest=ready_quest, step=step(ready_quest, "identite"), data={"nom": "Durand"})
    quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=instructor)
    quest_transition(
        quest=ready_quest, to_state=S.CHANGES_REQUESTED, actor=instructor, motivation="Le nom est mal orthographié."
    )
    answers_save(quest=ready_quest, step=step(ready_quest, "identite"), data={"nom": "Martinez"})
    step_complete(quest=ready_quest, step=step(ready_quest, "identite"))
    quest_submit(quest=ready_quest, actor=citizen)
    quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=instructor)
    quest_transition(quest=ready_quest, to_state=S.ACCEPTED, actor=instructor)
    quest_transition(quest=ready_quest, to_state=S.IN_REVIEW, actor=manager, motivation="Pièce à revoir.")
    quest_transition(quest=ready_quest, to_state=S.REJECTED, actor=instructor, motivation="Pièce falsifiée.")
    assert history(ready_quest) == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.CHANGES_REQUESTED),
        (S.CHANGES_REQUESTED, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.ACCEPTED),
        (S.ACCEPTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.REJECTED),
    ]
    assert Answer.objects.get(quest=ready_quest, field_name="nom").value == "Martinez"
    assert ready_quest.decided_at is not None


@pytest.mark.django_db
def test_a_guided_quest_completes_when_its_last_required_step_is_done(citizen, moving):
    quest = quest_start(citizen=citizen, procedure=moving)
    step_complete(quest=quest, step=step(quest, "a-savoir"))
    answers_save(quest=quest, step=step(quest, "situation"), data={"nouvelle_commune": "13055"})
    step_complete(quest=quest, step=step(quest, "situation"))
    assert quest.state == S.DRAFT
    answers_save(quest=quest, step=step(quest, "teleservice"), data={"teleservice.reference": "20260042"})
    step_complete(quest=quest, step=step(quest, "teleservice"))
    assert quest.state == S.COMPLETED
    assert quest.decided_at is not None
    last = QuestTransition.objects.filter(quest=quest).latest("at")
    assert (last.from_state, last.to_state, last.actor, last.actor_role) == (S.DRAFT, S.COMPLETED, citizen, "citizen")
    # The optional checklist left undone did not hold it back; nothing changes any more.
    with pytest.raises(QuestNotEditable):
        step_complete(quest=quest, step=step(quest, "ensuite"))


@pytest.mark.django_db
def test_a_guided_quest_completed_by_transition_keeps_the_answers_its_conditions_hide(citizen):
    """Only a submission drops what the conditions hide (the file a service receives): a guided
    quest, done elsewhere, keeps every answer the citizen gave when it is completed."""
    procedure, _revision = published(
        [
            {
                "slug": "situation",
                "title": "Votre situation",
                "kind": StepKind.FORM,
                "fields": [
                    {"name": "hors_commune", "label": "Vous quittez la commune", "kind": FieldKind.YES_NO},
                    {
                        "name": "ancienne_commune",
                        "label": "Ancienne commune",
                        "kind": FieldKind.COMMUNE,
                        "condition": {"field": "hors_commune", "op": "eq", "value": True},
                    },
                ],
            },
            GUIDED_STEPS[2],
        ],
        slug="demenagement",
        title="Déménagement",
    )
    quest = quest_start(citizen=citizen, procedure=procedure)
    situation = step(quest, "situation")
    answers_save(quest=quest, step=situation, data={"hors_commune": "oui", "ancienne_commune": "75056"})
    # The citizen corrects: the move stays in the commune, the field is now hidden.
    answers_save(quest=quest, step=situation, data={"hors_commune": "non"})
    answers_save(quest=quest, step=step(quest, "teleservice"), data={"teleservice.reference": "20260042"})
    for slug in ("situation", "teleservice"):
        StepProgress.objects.create(quest=quest, step=step(quest, slug), done_at="2026-01-01T10:00:00Z")
    transition = quest_transition(quest=quest, to_state=S.COMPLETED, actor=citizen)
    assert (transition.from_state, transition.to_state) == (S.DRAFT, S.COMPLETED)
    assert dict(Answer.objects.filter(quest=quest).values_list("field_name", "value")) == {
        "hors_commune": False,
        "ancienne_commune": "75056",
        "teleservice.reference": "20260042",
    }


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_make_one_transition(mairie):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers and ignores SELECT … FOR UPDATE; the race needs PostgreSQL")
    procedure, _revision = published(INSTRUCTED_STEPS, service=mairie)
    citizen = CitizenFactory()
    quest = fill(quest_start(citizen=citizen, procedure=procedure))
    barrier = threading.Barrier(2)
    results: list[QuestTransition] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            copy = Quest.objects.get(pk=quest.pk)
            barrier.wait()
            results.append(quest_submit(quest=copy, actor=citizen))
        except BaseException as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 2 and results[0].pk == results[1].pk
    assert QuestTransition.objects.filter(quest=quest, to_state=S.SUBMITTED).count() == 1
    assert Quest.objects.get(pk=quest.pk).state == S.SUBMITTED
