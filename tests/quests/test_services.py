import re

import pytest

from civiquest.actions.documents import document_delete
from civiquest.actions.quests import quest_start, quest_submit, quest_transition
from civiquest.catalogue.errors import ProcedureNotPublished, RevisionInvalid
from civiquest.catalogue.models import (
    Field,
    FieldKind,
    LifeEventCode,
    ProcedureStatus,
    RevisionStatus,
    Step,
    StepKind,
)
from civiquest.catalogue.services import (
    procedure_close,
    procedure_life_events_set,
    revision_draft_ensure,
    revision_publish,
)
from civiquest.core.errors import ProcedureError
from civiquest.documents.models import Document, DocumentType
from civiquest.quests.errors import QuestIncomplete, QuestNotEditable, StepIncomplete, StepUnavailable
from civiquest.quests.models import Answer, Quest, QuestDocument, QuestState, QuestTransition, StepProgress
from civiquest.quests.services import answers_save, step_complete
from tests.accounts.factories import AgentFactory, CitizenFactory
from tests.catalogue.factories import (
    INSTRUCTED_ANSWERS,
    DocumentFactory,
    ProcedureFactory,
    RevisionFactory,
    StepFactory,
)
from tests.quests.fixtures import fill, step

pytestmark = pytest.mark.django_db


def answers(quest):
    return dict(Answer.objects.filter(quest=quest).values_list("field_name", "value"))


class TestQuestStart:
    def test_pins_the_published_revision_and_writes_the_first_history_row(self, citizen, passport):
        quest = quest_start(citizen=citizen, procedure=passport)
        assert quest.revision == passport.revisions.get(status=RevisionStatus.PUBLISHED)
        assert quest.state == QuestState.DRAFT
        assert quest.current_step.slug == "avant-de-commencer"
        assert re.fullmatch(r"CQ-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", quest.reference)
        transition = QuestTransition.objects.get(quest=quest)
        assert (transition.from_state, transition.to_state, transition.actor) == ("", QuestState.DRAFT, citizen)

    def test_references_are_unique(self, citizen, passport):
        references = {quest_start(citizen=citizen, procedure=passport).reference for _ in range(20)}
        assert len(references) == 20

    def test_refuses_a_draft_procedure(self, citizen):
        procedure = ProcedureFactory()
        StepFactory(revision=RevisionFactory(procedure=procedure))
        with pytest.raises(ProcedureNotPublished):
            quest_start(citizen=citizen, procedure=procedure)

    def test_refuses_a_closed_procedure_but_open_quests_go_on(self, citizen, passport):
        quest = fill(quest_start(citizen=citizen, procedure=passport))
        procedure_close(procedure=passport)
        with pytest.raises(ProcedureNotPublished, match="pas ouverte"):
            quest_start(citizen=citizen, procedure=passport)
        assert quest_submit(quest=quest, actor=citizen).to_state == QuestState.SUBMITTED

    def test_refuses_an_agent(self, passport):
        with pytest.raises(ProcedureError):
            quest_start(citizen=AgentFactory(), procedure=passport)


class TestAnswersSave:
    def test_keeps_the_valid_values_and_returns_the_errors(self, draft_quest):
        result = answers_save(
            quest=draft_quest,
            step=step(draft_quest, "identite"),
            data={"nom": "  Martin ", "naissance": "2999-01-01", "premiere_demande": "oui"},
        )
        assert result.saved == {"nom": "Martin", "premiere_demande": True}
        assert set(result.errors) == {"naissance"}
        assert result.errors["naissance"].startswith("« Date de naissance » doit être le ")
        assert answers(draft_quest) == {"nom": "Martin", "premiere_demande": True}
        assert draft_quest.current_step.slug == "identite"

    def test_an_invalid_value_leaves_the_previous_one_and_an_empty_one_clears_it(self, draft_quest):
        identity = step(draft_quest, "identite")
        answers_save(quest=draft_quest, step=identity, data={"nom": "Martin", "naissance": "1990-05-17"})
        result = answers_save(quest=draft_quest, step=identity, data={"nom": "x" * 101, "naissance": ""})
        assert result.saved == {"naissance": None}
        assert answers(draft_quest) == {"nom": "Martin"}

    def test_only_the_inputs_sent_change(self, draft_quest):
        identity = step(draft_quest, "identite")
        answers_save(quest=draft_quest, step=identity, data={"nom": "Martin"})
        answers_save(quest=draft_quest, step=identity, data={"naissance": "17/05/1990"})
        assert answers(draft_quest) == {"nom": "Martin", "naissance": "1990-05-17"}

    def test_a_missing_required_answer_is_no_error_while_drafting(self, draft_quest):
        assert answers_save(quest=draft_quest, step=step(draft_quest, "identite"), data={}).errors == {}

    def test_conditions_follow_the_answers_of_the_same_request(self, draft_quest):
        identity = step(draft_quest, "identite")
        hidden = answers_save(
            quest=draft_quest, step=identity, data={"premiere_demande": "oui", "ancien_numero": "12AB34567"}
        )
        assert "ancien_numero" not in hidden.saved
        shown = answers_save(
            quest=draft_quest, step=identity, data={"premiere_demande": "non", "ancien_numero": "12AB34567"}
        )
        assert shown.saved == {"premiere_demande": False, "ancien_numero": "12AB34567"}

    def test_inputs_of_steps_without_fields(self, draft_quest):
        result = answers_save(
            quest=draft_quest,
            step=step(draft_quest, "pre-demande"),
            data={"pre-demande.reference": "ab12", "nom": "ignored"},
        )
        assert result.errors == {"pre-demande.reference": "« Numéro de pré-demande » n’a pas le format attendu."}
        answers_save(quest=draft_quest, step=step(draft_quest, "preparer"), data={"preparer.checklist": ["1"]})
        photo = DocumentFactory(owner=draft_quest.citizen, type=DocumentType.ID_PHOTO)
        answers_save(quest=draft_quest, step=step(draft_quest, "pieces"), data={"pieces.id_photo": str(photo.pk)})
        assert answers(draft_quest) == {"preparer.checklist": ["1"], "pieces.id_photo": photo.pk}

    def test_refuses_a_hidden_step_or_another_revisions_step(self, draft_quest, moving):
        with pytest.raises(StepUnavailable, match="ne s’applique pas"):
            answers_save(quest=draft_quest, step=step(draft_quest, "perte"), data={"motif": "perdu"})
        other = Step.objects.filter(revision__procedure=moving).first()
        with pytest.raises(StepUnavailable, match="ne fait pas partie"):
            answers_save(quest=draft_quest, step=other, data={})

    @pytest.mark.parametrize("state", [QuestState.SUBMITTED, QuestState.IN_REVIEW, QuestState.ACCEPTED])
    def test_only_while_draft_or_changes_requested(self, draft_quest, state):
        Quest.objects.filter(pk=draft_quest.pk).update(state=state)
        with pytest.raises(QuestNotEditable):
            answers_save(quest=draft_quest, step=step(draft_quest, "identite"), data={"nom": "Durand"})
        with pytest.raises(QuestNotEditable):
            step_complete(quest=draft_quest, step=step(draft_quest, "avant-de-commencer"))
        assert answers(draft_quest) == {}

    def test_clearing_a_required_answer_undoes_its_step(self, ready_quest):
        identity = step(ready_quest, "identite")
        assert StepProgress.objects.get(quest=ready_quest, step=identity).is_done
        answers_save(quest=ready_quest, step=identity, data={"nom": ""})
        progress = StepProgress.objects.get(quest=ready_quest, step=identity)
        assert not progress.is_done and not progress.verified


class TestStepComplete:
    def test_names_what_is_missing(self, draft_quest):
        with pytest.raises(StepIncomplete) as error:
            step_complete(quest=draft_quest, step=step(draft_quest, "identite"))
        assert error.value.errors == {
            "nom": "« Nom » est obligatoire.",
            "naissance": "« Date de naissance » est obligatoire.",
            "premiere_demande": "« Première demande » est obligatoire.",
        }
        assert not StepProgress.objects.filter(quest=draft_quest).exists()

    def test_documents_step_wants_one_document_of_each_type(self, draft_quest):
        pieces = step(draft_quest, "pieces")
        photo = DocumentFactory(owner=draft_quest.citizen, type=DocumentType.ID_PHOTO)
        answers_save(quest=draft_quest, step=pieces, data={"pieces.id_photo": photo.pk})
        with pytest.raises(StepIncomplete) as error:
            step_complete(quest=draft_quest, step=pieces)
        assert error.value.errors == {"pieces.proof_of_address": "« Justificatif de domicile » est obligatoire."}

    def test_marks_done_verified_by_kind_and_moves_on(self, draft_quest):
        info = step_complete(quest=draft_quest, step=step(draft_quest, "avant-de-commencer"))
        assert info.is_done and not info.verified
        assert draft_quest.current_step.slug == "identite"
        answers_save(quest=draft_quest, step=step(draft_quest, "identite"), data=INSTRUCTED_ANSWERS["identite"])
        form = step_complete(quest=draft_quest, step=step(draft_quest, "identite"))
        assert form.verified
        # The loss step is hidden for a first request: next is the pre-request.
        assert draft_quest.current_step.slug == "pre-demande"

    def test_completing_twice_keeps_the_first_time(self, draft_quest):
        first = step_complete(quest=draft_quest, step=step(draft_quest, "avant-de-commencer"))
        again = step_complete(quest=draft_quest, step=step(draft_quest, "avant-de-commencer"))
        assert again.done_at == first.done_at

    def test_the_agent_review_step_is_not_the_citizens(self, draft_quest):
        with pytest.raises(StepUnavailable, match="service instructeur"):
            step_complete(quest=draft_quest, step=step(draft_quest, "instruction"))

    def test_a_hidden_step_cannot_be_completed(self, draft_quest):
        with pytest.raises(StepUnavailable):
            step_complete(quest=draft_quest, step=step(draft_quest, "perte"))


def test_submission_drops_the_answers_hidden_by_conditions(draft_quest):
    identity = step(draft_quest, "identite")
    # A renewal first, then the citizen corrects: it is a first request after all.
    answers_save(quest=draft_quest, step=identity, data={"premiere_demande": "non", "ancien_numero": "12AB34567"})
    answers_save(quest=draft_quest, step=step(draft_quest, "perte"), data={"motif": "perdu", "commune_perte": "75056"})
    fill(draft_quest)
    assert {"ancien_numero", "motif", "commune_perte"} <= set(answers(draft_quest))
    quest_submit(quest=draft_quest, actor=draft_quest.citizen)
    assert set(answers(draft_quest)) == {
        "nom",
        "naissance",
        "premiere_demande",
        "pre-demande.reference",
        "pieces.id_photo",
        "pieces.proof_of_address",
    }


class TestRevisions:
    def test_publish_supersedes_and_open_quests_stay_pinned(self, citizen, passport, instructor):
        first_revision = passport.revisions.get(status=RevisionStatus.PUBLISHED)
        open_quest = quest_start(citizen=citizen, procedure=passport)
        # A new revision asks for a phone number, in a new required step.
        draft = revision_draft_ensure(procedure=passport)
        assert draft.number == 2
        contact = Step.objects.create(revision=draft, position=50, slug="contact", title="Contact", kind=StepKind.FORM)
        Field.objects.create(step=contact, position=1, name="telephone", label="Téléphone", kind=FieldKind.PHONE)
        identity = draft.steps.get(slug="identite")
        identity.title = "Qui êtes-vous ?"
        identity.save()
        assert revision_publish(procedure=passport) == draft
        first_revision.refresh_from_db()
        draft.refresh_from_db()
        assert first_revision.status == RevisionStatus.SUPERSEDED
        assert draft.status == RevisionStatus.PUBLISHED and draft.published_at is not None

        # The open quest goes on with its own revision: no phone asked, old titles.
        open_quest.refresh_from_db()
        assert open_quest.revision == first_revision
        assert step(open_quest, "identite").title == "Votre identité"
        fill(open_quest)
        assert quest_submit(quest=open_quest, actor=citizen).to_state == QuestState.SUBMITTED
        quest_transition(quest=open_quest, to_state=QuestState.IN_REVIEW, actor=instructor)

        # A new quest starts on the new revision, and needs the phone.
        new_quest = quest_start(citizen=citizen, procedure=passport)
        assert new_quest.revision == draft
        with pytest.raises(StepIncomplete):
            step_complete(quest=new_quest, step=step(new_quest, "contact"))
        fill(new_quest, {**INSTRUCTED_ANSWERS, "contact": {"telephone": "06 12 34 56 78"}})
        assert answers(new_quest)["telephone"] == "+33612345678"
        assert quest_submit(quest=new_quest, actor=citizen).to_state == QuestState.SUBMITTED

    def test_the_draft_copy_is_a_full_copy(self, passport):
        published = passport.revisions.get(status=RevisionStatus.PUBLISHED)
        draft = revision_draft_ensure(procedure=passport)
        assert revision_draft_ensure(procedure=passport) == draft

        def shape(revision):
            return [
                (s.slug, s.kind, s.condition, [(f.name, f.kind, f.pattern, f.condition) for f in s.fields.all()])
                for s in revision.steps.all()
            ]

        assert shape(draft) == shape(published)
        assert not Step.objects.filter(revision=published).filter(pk__in=draft.steps.values("pk")).exists()

    def test_a_first_draft_is_empty(self, db):
        procedure = ProcedureFactory()
        draft = revision_draft_ensure(procedure=procedure)
        assert (draft.number, draft.status, draft.steps.count()) == (1, RevisionStatus.DRAFT, 0)

    def test_an_invalid_draft_is_not_published(self, db):
        procedure = ProcedureFactory()
        revision = RevisionFactory(procedure=procedure)
        StepFactory(revision=revision, kind=StepKind.AGENT_REVIEW)
        with pytest.raises(RevisionInvalid) as error:
            revision_publish(procedure=procedure)
        assert error.value.problems
        revision.refresh_from_db()
        procedure.refresh_from_db()
        assert revision.status == RevisionStatus.DRAFT and procedure.status == ProcedureStatus.DRAFT

    def test_nothing_to_publish(self, passport):
        with pytest.raises(ProcedureError, match="pas de révision en brouillon"):
            revision_publish(procedure=passport)

    def test_publishing_reopens_a_closed_procedure(self, passport, citizen):
        procedure_close(procedure=passport)
        revision_draft_ensure(procedure=passport)
        revision_publish(procedure=passport)
        assert passport.status == ProcedureStatus.PUBLISHED
        assert quest_start(citizen=citizen, procedure=passport).revision.number == 2


def test_life_events_set(passport):
    assert procedure_life_events_set(procedure=passport, codes=["voyage", LifeEventCode.LOST_PAPERS]) == [
        "perte_papiers",
        "voyage",
    ]
    procedure_life_events_set(procedure=passport, codes=["voyage", "majorite"])
    assert sorted(passport.life_events.values_list("code", flat=True)) == ["majorite", "voyage"]
    with pytest.raises(ValueError):
        procedure_life_events_set(procedure=passport, codes=["inconnu"])


def test_another_citizens_transition_rows_are_theirs(passport):
    first, second = CitizenFactory(), CitizenFactory()
    quest_start(citizen=first, procedure=passport)
    quest_start(citizen=second, procedure=passport)
    assert QuestTransition.objects.filter(actor=first).count() == 1


class TestWalletDocumentAnswers:
    """A documents step takes documents of the citizen's own wallet and attaches them to the quest."""

    def test_a_chosen_document_is_attached_then_replaced_then_detached(self, draft_quest):
        pieces = step(draft_quest, "pieces")
        first = DocumentFactory(owner=draft_quest.citizen, type=DocumentType.ID_PHOTO)
        second = DocumentFactory(owner=draft_quest.citizen, type=DocumentType.OTHER)
        answers_save(quest=draft_quest, step=pieces, data={"pieces.id_photo": first.pk})
        assert list(QuestDocument.objects.filter(quest=draft_quest).values_list("document", "input_name")) == [
            (first.pk, "pieces.id_photo")
        ]
        answers_save(quest=draft_quest, step=pieces, data={"pieces.id_photo": second.pk})
        assert list(QuestDocument.objects.filter(quest=draft_quest).values_list("document", flat=True)) == [second.pk]
        answers_save(quest=draft_quest, step=pieces, data={"pieces.id_photo": ""})
        assert not QuestDocument.objects.filter(quest=draft_quest).exists()
        assert answers(draft_quest) == {}

    def test_another_citizens_document_is_refused(self, draft_quest):
        stranger = DocumentFactory(type=DocumentType.ID_PHOTO)
        result = answers_save(
            quest=draft_quest, step=step(draft_quest, "pieces"), data={"pieces.id_photo": stranger.pk}
        )
        assert result.errors == {
            "pieces.id_photo": "« Photo d’identité » : choisissez un document de votre porte-documents."
        }
        assert answers(draft_quest) == {} and not QuestDocument.objects.exists()

    def test_a_document_of_another_type_is_refused(self, draft_quest):
        passport = DocumentFactory(owner=draft_quest.citizen, type=DocumentType.PASSPORT)
        result = answers_save(
            quest=draft_quest, step=step(draft_quest, "pieces"), data={"pieces.id_photo": passport.pk}
        )
        assert "d’un autre type" in result.errors["pieces.id_photo"]
        assert answers(draft_quest) == {}

    def test_deleting_a_document_of_a_draft_clears_its_answer_and_reopens_the_step(self, ready_quest):
        pieces = step(ready_quest, "pieces")
        assert StepProgress.objects.get(quest=ready_quest, step=pieces).is_done
        photo_id = answers(ready_quest)["pieces.id_photo"]
        document_delete(document=Document.objects.get(pk=photo_id))
        assert "pieces.id_photo" not in answers(ready_quest)
        assert not StepProgress.objects.get(quest=ready_quest, step=pieces).is_done
        with pytest.raises(QuestIncomplete):
            quest_submit(quest=ready_quest, actor=ready_quest.citizen)

    def test_the_submitted_quest_holds_exactly_its_documents(self, ready_quest):
        quest_submit(quest=ready_quest, actor=ready_quest.citizen)
        given = set(QuestDocument.objects.filter(quest=ready_quest).values_list("input_name", flat=True))
        assert given == {"pieces.id_photo", "pieces.proof_of_address"}
