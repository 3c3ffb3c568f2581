import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from civiquest.catalogue.errors import RevisionFrozen
from civiquest.catalogue.models import (
    Field,
    FieldKind,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
    StepKind,
)
from civiquest.catalogue.services import revision_draft_ensure, revision_publish
from civiquest.quests.errors import HistoryIsAppendOnly, RevisionPinned
from civiquest.quests.models import QuestState, QuestTransition
from civiquest.quests.services import quest_start
from tests.catalogue.factories import FieldFactory, ProcedureFactory, RevisionFactory, StepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_revision(passport):
    return passport.revisions.get(status=RevisionStatus.PUBLISHED)


class TestPublishedRevisionsAreImmutable:
    @pytest.mark.parametrize(
        ("attribute", "value"), [("xp_per_step", 999), ("completion_xp", 0), ("badge_codes", ["x"]), ("number", 7)]
    )
    def test_its_content_cannot_change(self, published_revision, attribute, value):
        setattr(published_revision, attribute, value)
        with pytest.raises(RevisionFrozen):
            published_revision.save()
        with pytest.raises(ValidationError):
            published_revision.clean()

    def test_it_cannot_go_back_to_draft(self, published_revision):
        published_revision.status = RevisionStatus.DRAFT
        with pytest.raises(RevisionFrozen):
            published_revision.save()

    def test_it_cannot_be_deleted(self, published_revision):
        with pytest.raises(RevisionFrozen):
            published_revision.delete()

    def test_a_stale_instance_cannot_overwrite_it(self, db):
        # Loaded while a draft, saved after publication elsewhere: the stored status wins.
        procedure = ProcedureFactory()
        revision = RevisionFactory(procedure=procedure)
        StepFactory(revision=revision)
        stale = ProcedureRevision.objects.get(pk=revision.pk)
        revision_publish(procedure=procedure)
        stale.xp_per_step = 500
        with pytest.raises(RevisionFrozen):
            stale.save()

    def test_its_steps_cannot_be_edited_added_or_deleted(self, published_revision):
        step = published_revision.steps.first()
        step.title = "Autre titre"
        with pytest.raises(RevisionFrozen):
            step.save()
        with pytest.raises(RevisionFrozen):
            step.delete()
        with pytest.raises(RevisionFrozen):
            Step.objects.create(revision=published_revision, position=99, slug="nouvelle", title="N", kind="info")

    def test_its_fields_cannot_be_edited_added_or_deleted(self, published_revision):
        field = Field.objects.filter(revision=published_revision).first()
        field.label = "Autre libellé"
        with pytest.raises(RevisionFrozen):
            field.save()
        with pytest.raises(RevisionFrozen):
            field.delete()
        form = published_revision.steps.get(kind=StepKind.FORM, slug="identite")
        with pytest.raises(RevisionFrozen):
            Field.objects.create(step=form, position=99, name="nouveau", label="N", kind=FieldKind.TEXT)

    def test_a_step_cannot_be_moved_out_of_it(self, published_revision):
        draft = revision_draft_ensure(procedure=published_revision.procedure)
        step = published_revision.steps.first()
        step.revision = draft
        step.slug = "deplacee"
        with pytest.raises(RevisionFrozen):
            step.save()

    def test_superseding_is_the_only_change_allowed(self, passport, published_revision):
        revision_draft_ensure(procedure=passport)
        revision_publish(procedure=passport)
        published_revision.refresh_from_db()
        assert published_revision.status == RevisionStatus.SUPERSEDED
        published_revision.status = RevisionStatus.PUBLISHED
        with pytest.raises(RevisionFrozen):
            published_revision.save()

    def test_a_draft_can_be_edited_freely(self, db):
        field = FieldFactory()
        field.label = "Nouveau libellé"
        field.save()
        field.step.title = "Nouveau titre"
        field.step.save()
        field.step.revision.xp_per_step = 20
        field.step.revision.save()
        field.delete()
        field.step.delete()
        field.step.revision.delete()


class TestConstraints:
    def test_one_published_and_one_draft_revision_per_procedure(self, published_revision):
        with transaction.atomic(), pytest.raises(IntegrityError):
            ProcedureRevision.objects.create(
                procedure=published_revision.procedure, number=8, status=RevisionStatus.PUBLISHED
            )
        RevisionFactory(procedure=published_revision.procedure)
        with transaction.atomic(), pytest.raises(IntegrityError):
            RevisionFactory(procedure=published_revision.procedure)

    def test_a_field_name_is_unique_in_the_revision(self, db):
        first = FieldFactory(name="nom")
        other_step = StepFactory(revision=first.revision, kind=StepKind.FORM)
        with transaction.atomic(), pytest.raises(IntegrityError):
            FieldFactory(step=other_step, name="nom")
        assert first.revision_id == first.step.revision_id

    def test_a_field_name_is_an_identifier(self, db):
        field = FieldFactory.build(step=StepFactory(kind=StepKind.FORM), name="Nom-complet")
        with pytest.raises(ValidationError, match="Lettres minuscules"):
            field.full_clean(exclude=["revision"])


class TestQuestPinning:
    def test_a_quest_never_changes_revision(self, citizen, passport):
        quest = quest_start(citizen=citizen, procedure=passport)
        draft = revision_draft_ensure(procedure=passport)
        quest.revision = draft
        with pytest.raises(RevisionPinned):
            quest.save()
        quest.refresh_from_db()
        quest.revision_id = draft.pk
        with pytest.raises(RevisionPinned):
            quest.save()

    def test_a_revision_with_quests_is_protected(self, citizen, passport):
        quest = quest_start(citizen=citizen, procedure=passport)
        with pytest.raises(ProtectedError):
            ProcedureRevision.objects.filter(pk=quest.revision_id).delete()
        assert quest.revision.status == RevisionStatus.PUBLISHED

    def test_a_published_procedure_is_closed_not_deleted(self, passport):
        with pytest.raises(RevisionFrozen, match="fermez-la"):
            passport.delete()
        draft_only = ProcedureFactory()
        RevisionFactory(procedure=draft_only)
        draft_only.delete()


class TestHistoryIsAppendOnly:
    def test_no_update_and_no_deletion(self, citizen, passport):
        quest = quest_start(citizen=citizen, procedure=passport)
        transition = QuestTransition.objects.get(quest=quest)
        assert (transition.from_state, transition.to_state) == ("", QuestState.DRAFT)
        transition.motivation = "réécrit"
        with pytest.raises(HistoryIsAppendOnly):
            transition.save()
        with pytest.raises(HistoryIsAppendOnly):
            transition.delete()
        with pytest.raises(HistoryIsAppendOnly):
            QuestTransition.objects.filter(quest=quest).update(motivation="réécrit")
        with pytest.raises(HistoryIsAppendOnly):
            QuestTransition.objects.filter(quest=quest).delete()
        with pytest.raises(ProtectedError):
            quest.delete()
        assert QuestTransition.objects.get(quest=quest).motivation == ""


class TestProcedure:
    def test_search_text_ignores_accents_and_case(self, db):
        procedure = ProcedureFactory(title="Carte d’identité", summary="Obtenir ou renouveler", keywords="CNI")
        assert procedure.search_text == "carte d identite obtenir ou renouveler cni"
        procedure.title = "Carte nationale d’identité"
        procedure.save(update_fields=["title"])
        procedure.refresh_from_db()
        assert procedure.search_text.startswith("carte nationale d identite")

    def test_search_text_folds_ligatures(self, db):
        from civiquest.quests.selectors import published_procedures

        procedure = ProcedureFactory(title="Aide au vœu d’études", status=ProcedureStatus.PUBLISHED)
        assert procedure.search_text.startswith("aide au voeu d etudes")
        assert list(published_procedures(search="VOEU")) == [procedure]

    def test_official_links_are_checked(self, db):
        procedure = ProcedureFactory.build(
            official_links=[
                {"label": "Service-public.fr", "url": "https://www.service-public.fr/particuliers/vosdroits/N360"},
                {"label": "", "url": "https://example.fr"},
                {"label": "Sans adresse", "url": "javascript:alert(1)"},
            ]
        )
        with pytest.raises(ValidationError) as error:
            procedure.clean()
        assert error.value.message_dict["official_links"] == [
            "Le lien officiel n°2 n’a pas d’intitulé.",
            "Le lien officiel n°3 n’a pas d’adresse valide.",
        ]

    def test_guided_means_no_instructing_service(self, passport, moving):
        assert moving.is_guided and not passport.is_guided
