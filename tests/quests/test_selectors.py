import pytest
from django.core.cache import cache

from civiquest.catalogue.conditions import completeness, visibility
from civiquest.catalogue.models import Theme
from civiquest.catalogue.services import procedure_close, procedure_life_events_set
from civiquest.quests.journey import with_journeys
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.selectors import (
    published_procedure,
    published_procedures,
    quest_answers,
    quest_detail,
    quest_done_step_ids,
    quests_of,
)
from civiquest.quests.services import quest_start
from civiquest.quests.transitions import quest_submit
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import GUIDED_STEPS, INSTRUCTED_STEPS, ProcedureFactory, published
from tests.quests.fixtures import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(passport, moving):
    passport.keywords = "titre de voyage"
    passport.save()
    procedure_life_events_set(procedure=passport, codes=["voyage", "perte_papiers"])
    procedure_life_events_set(procedure=moving, codes=["demenagement"])
    identity_card, _revision = published(GUIDED_STEPS, slug="carte-identite", title="Carte d’identité")
    procedure_life_events_set(procedure=identity_card, codes=["perte_papiers"])
    closed, _revision = published(GUIDED_STEPS, slug="fermee", title="Carte fermée", theme=Theme.HOUSING)
    procedure_close(procedure=closed)
    ProcedureFactory(slug="brouillon", title="Carte en brouillon")
    moving.theme = Theme.HOUSING
    moving.save()
    return {"passport": passport, "moving": moving, "identity_card": identity_card}


def slugs(procedures):
    return [procedure.slug for procedure in procedures]


class TestCatalogue:
    def test_only_published_procedures_by_title(self, catalogue):
        assert slugs(published_procedures()) == ["carte-identite", "changement-adresse", "passeport"]

    @pytest.mark.parametrize(
        ("search", "expected"),
        [
            ("identité", ["carte-identite"]),
            ("IDENTITE", ["carte-identite"]),
            ("carte", ["carte-identite"]),
            ("voyage titre", ["passeport"]),
            ("passeport inconnu", []),
            ("  ", ["carte-identite", "changement-adresse", "passeport"]),
        ],
    )
    def test_search_ignores_accents_case_and_word_order(self, catalogue, search, expected):
        assert slugs(published_procedures(search=search)) == expected

    def test_filters_by_theme_and_life_event(self, catalogue):
        assert slugs(published_procedures(theme=Theme.HOUSING)) == ["changement-adresse"]
        assert slugs(published_procedures(life_event="perte_papiers")) == ["carte-identite", "passeport"]
        assert slugs(published_procedures(life_event="perte_papiers", search="passeport")) == ["passeport"]
        assert slugs(published_procedures(theme=Theme.PAPERS, life_event="demenagement")) == []

    def test_in_a_fixed_number_of_queries(self, catalogue, django_assert_num_queries):
        with django_assert_num_queries(2):
            listed = list(published_procedures())
            assert [len(procedure.life_events.all()) for procedure in listed] == [1, 1, 2]
            assert [procedure.instructing_service for procedure in listed][2].name == "Mairie de Nouméa"

    def test_one_procedure_by_slug(self, catalogue):
        assert published_procedure(slug="passeport") == catalogue["passport"]
        assert published_procedure(slug="fermee") is None
        assert published_procedure(slug="brouillon") is None


def make_quests(citizen, procedure, count):
    quests = [quest_start(citizen=citizen, procedure=procedure) for _ in range(count)]
    return quests


class TestQuestsOf:
    def test_grouped_by_what_comes_next(self, citizen, passport, moving):
        draft = quest_start(citizen=citizen, procedure=passport)
        submitted = fill(quest_start(citizen=citizen, procedure=passport))
        quest_submit(quest=submitted, actor=citizen)
        changes = quest_start(citizen=citizen, procedure=moving)
        Quest.objects.filter(pk=changes.pk).update(state=QuestState.CHANGES_REQUESTED)
        accepted = quest_start(citizen=citizen, procedure=passport)
        Quest.objects.filter(pk=accepted.pk).update(state=QuestState.ACCEPTED)
        quest_start(citizen=CitizenFactory(), procedure=passport)

        groups = quests_of(citizen=citizen)
        assert [(group.key, str(group.label)) for group in groups] == [
            ("to_do", "À compléter"),
            ("in_progress", "En cours de traitement"),
            ("done", "Terminées"),
        ]
        assert [[quest.pk for quest in group.quests] for group in groups] == [
            [changes.pk, draft.pk],
            [submitted.pk],
            [accepted.pk],
        ]
        with_journeys([quest for group in groups for quest in group.quests])
        in_progress = groups[1].quests[0].journey
        # Six visible steps (the loss step hidden for a first request), the service's included; the four
        # required ones are done, and the quest is at the service's step, the last.
        assert (in_progress.steps_done, in_progress.steps_total) == (4, 6)
        assert (in_progress.stage_number, in_progress.total, in_progress.current_stage.label) == (
            6,
            6,
            "Instruction en mairie",
        )
        draft_journey = groups[0].quests[1].journey
        assert (draft_journey.steps_done, draft_journey.steps_total, draft_journey.stage_number) == (0, 6, 1)

    def test_one_query_whatever_the_number_of_quests(self, citizen, passport, moving, django_assert_num_queries):
        make_quests(citizen, passport, 1)
        with django_assert_num_queries(1):
            groups = quests_of(citizen=citizen)
            [(quest.procedure.title, quest.current_step.title) for group in groups for quest in group.quests]
        other, _revision = published(INSTRUCTED_STEPS, slug="autre", service=passport.instructing_service)
        make_quests(citizen, passport, 5)
        make_quests(citizen, moving, 5)
        make_quests(citizen, other, 5)
        with django_assert_num_queries(1):
            groups = quests_of(citizen=citizen)
            titles = [(quest.procedure.title, quest.current_step.title) for group in groups for quest in group.quests]
        assert len(titles) == 16

    def test_where_each_quest_is_in_a_fixed_number_of_queries(
        self, citizen, passport, moving, django_assert_num_queries
    ):
        from django.core.cache import cache

        other, _revision = published(INSTRUCTED_STEPS, slug="autre", service=passport.instructing_service)
        for procedure in (passport, moving, other):
            make_quests(citizen, procedure, 3)
        quests = [quest for group in quests_of(citizen=citizen) for quest in group.quests]
        cache.clear()
        # Answers and done steps, then the three revisions' steps and fields (not cached yet).
        with django_assert_num_queries(4):
            with_journeys(quests)
        assert {quest.journey.total for quest in quests} == {6, 4}
        quests = [quest for group in quests_of(citizen=citizen) for quest in group.quests]
        with django_assert_num_queries(2):
            with_journeys(quests)
        assert all(quest.journey.stage_number == 1 for quest in quests)

    def test_nobody_elses(self, citizen, passport):
        make_quests(CitizenFactory(), passport, 2)
        assert all(group.quests == [] for group in quests_of(citizen=citizen))


class TestQuestDetail:
    def test_another_citizens_quest_is_none(self, citizen, passport):
        quest = quest_start(citizen=citizen, procedure=passport)
        assert quest_detail(quest_id=quest.pk, citizen=citizen) == quest
        assert quest_detail(quest_id=str(quest.pk), citizen=citizen) == quest
        assert quest_detail(quest_id=quest.pk, citizen=CitizenFactory()) is None
        assert quest_detail(quest_id=quest.pk + 1000, citizen=citizen) is None
        assert quest_detail(quest_id="abc", citizen=citizen) is None
        assert quest_detail(quest_id=None, citizen=citizen) is None

    @pytest.mark.parametrize("filled", [False, True])
    @pytest.mark.parametrize(("revision_cached", "queries"), [(True, 4), (False, 6)])
    def test_everything_the_page_shows_in_four_queries_six_before_the_revision_is_cached(
        self, citizen, passport, filled, revision_cached, queries, django_assert_num_queries
    ):
        quest = quest_start(citizen=citizen, procedure=passport)
        if filled:
            fill(quest)
            quest_submit(quest=quest, actor=citizen)
        if not revision_cached:
            cache.clear()  # a published revision's steps and fields are read once, then cached
        with django_assert_num_queries(queries):
            loaded = quest_detail(quest_id=quest.pk, citizen=citizen)
            answers = quest_answers(loaded)
            seen = visibility(loaded.revision, answers)
            report = completeness(seen, quest_done_step_ids(loaded))
            timeline = [(t.to_state, t.actor and t.actor.display_name) for t in loaded.transitions.all()]
            labels = [spec.label for current in seen.steps for spec in seen.inputs_of(current)]
            service = loaded.procedure.instructing_service.name
        assert report.is_complete is filled
        assert "Numéro de pré-demande" in labels and service == "Mairie de Nouméa"
        assert len(timeline) == (2 if filled else 1)
