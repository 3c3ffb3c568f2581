import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civiquest.accounts.models import ServiceRole
from civiquest.actions import instruction as decisions
from civiquest.actions.instruction import quests_bulk_apply
from civiquest.actions.quests import quest_submit
from civiquest.core.errors import ProcedureError
from civiquest.instruction import attestation, corrections
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Attestation, ChangeRequest, Label, QuestLabel, QuestMessage
from civiquest.notifications.models import Notification
from civiquest.quests.errors import MotivationRequired, TransitionForbidden
from civiquest.quests.models import QuestState, QuestTransition
from tests.catalogue.factories import ServiceFactory, member_of
from tests.instruction.helpers import submitted_quest

S = QuestState
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00"
    b"\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


@pytest.fixture
def outsider(db):
    """An agent of another service."""
    return member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.MANAGER)


def states(quest):
    return list(QuestTransition.objects.filter(quest=quest).order_by("at", "pk").values_list("to_state", flat=True))


def citizen_notifications(quest):
    return Notification.objects.filter(recipient=quest.citizen, quest=quest).count()


def test_each_action_goes_through_the_state_machine_writes_history_and_notifies(quest, instructor):
    before = citizen_notifications(quest)
    decisions.quest_start_review(quest=quest, actor=instructor)
    assert quest.state == S.IN_REVIEW
    quest.refresh_from_db()
    assert quest.assignee == instructor  # whoever starts the review takes it, if nobody had
    decisions.quest_request_changes(quest=quest, actor=instructor, message="Photo floue", targets=["pieces.id_photo"])
    assert quest.state == S.CHANGES_REQUESTED
    quest_submit(quest=quest, actor=quest.citizen)
    decisions.quest_accept(quest=quest, actor=instructor)
    assert quest.state == S.ACCEPTED
    assert states(quest)[-5:] == [S.IN_REVIEW, S.CHANGES_REQUESTED, S.SUBMITTED, S.IN_REVIEW, S.ACCEPTED]
    last = QuestTransition.objects.filter(quest=quest).order_by("-at", "-pk").first()
    assert last.actor == instructor
    assert citizen_notifications(quest) >= before + 4


def test_request_changes_points_at_inputs_and_closes_on_resubmission(quest, instructor):
    request = decisions.quest_request_changes(
        quest=quest, actor=instructor, message="Votre photo est floue.", targets=["pieces.id_photo", "step:identite"]
    )
    assert request.targets == ["pieces.id_photo", "step:identite"]
    assert corrections.open_change_request(quest=quest) == request
    transition = QuestTransition.objects.filter(quest=quest, to_state=S.CHANGES_REQUESTED).get()
    assert transition.motivation == "Votre photo est floue."
    quest_submit(quest=quest, actor=quest.citizen)
    request.refresh_from_db()
    assert request.closed_at is not None
    assert corrections.open_change_request(quest=quest) is None


def test_request_changes_refuses_unknown_targets_and_an_empty_message(quest, instructor):
    with pytest.raises(instruction.InstructionRefused):
        decisions.quest_request_changes(quest=quest, actor=instructor, message="x", targets=["nope"])
    with pytest.raises(instruction.InstructionRefused):
        decisions.quest_request_changes(quest=quest, actor=instructor, message="  ", targets=[])
    quest.refresh_from_db()
    assert quest.state == S.SUBMITTED
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("action", [instruction.quest_reject, instruction.quest_close])
def test_reject_and_close_need_a_motivation(quest, instructor, action):
    with pytest.raises((instruction.InstructionRefused, MotivationRequired)):
        action(quest=quest, actor=instructor, motivation=" ")
    quest.refresh_from_db()
    assert quest.state == S.SUBMITTED
    action(quest=quest, actor=instructor, motivation="Pièces non conformes")
    assert quest.state in (S.REJECTED, S.CLOSED)
    assert QuestTransition.objects.filter(quest=quest, motivation="Pièces non conformes").exists()


def test_an_instructor_cannot_reopen_a_decided_quest_a_manager_can(quest, instructor, manager):
    decisions.quest_reject(quest=quest, actor=instructor, motivation="Incomplet")
    with pytest.raises(TransitionForbidden):
        decisions.quest_reopen(quest=quest, actor=instructor, motivation="Erreur")
    quest.refresh_from_db()
    assert quest.state == S.REJECTED
    with pytest.raises(instruction.InstructionRefused):
        decisions.quest_reopen(quest=quest, actor=manager, motivation="")
    decisions.quest_reopen(quest=quest, actor=manager, motivation="Erreur de lecture")
    assert quest.state == S.IN_REVIEW


def test_an_agent_of_another_service_finds_nothing(quest, outsider):
    calls = [
        lambda: instruction.quest_for_agent(agent=outsider, quest_id=quest.pk),
        lambda: instruction.quest_take(quest=quest, actor=outsider),
        lambda: decisions.quest_start_review(quest=quest, actor=outsider),
        lambda: decisions.quest_accept(quest=quest, actor=outsider),
        lambda: decisions.quest_reject(quest=quest, actor=outsider, motivation="x"),
        lambda: decisions.quest_close(quest=quest, actor=outsider, motivation="x"),
        lambda: decisions.quest_request_changes(quest=quest, actor=outsider, message="x"),
        lambda: instruction.note_add(quest=quest, actor=outsider, body="x"),
        lambda: instruction.message_send(quest=quest, author=outsider, body="x"),
    ]
    for call in calls:
        with pytest.raises(instruction.QuestNotFound):
            call()
    quest.refresh_from_db()
    assert quest.state == S.SUBMITTED
    assert quest.assignee_id is None


def test_drafts_are_not_for_agents(draft_quest, instructor):
    with pytest.raises(instruction.QuestNotFound):
        instruction.quest_for_agent(agent=instructor, quest_id=draft_quest.pk)


def test_assignment_stays_within_the_service(quest, instructor, outsider):
    with pytest.raises(instruction.InstructionRefused):
        instruction.quest_assign(quest=quest, actor=instructor, assignee=outsider)
    instruction.quest_take(quest=quest, actor=instructor)
    quest.refresh_from_db()
    assert quest.assignee == instructor


def test_labels_belong_to_a_service(quest, instructor, outsider, mairie):
    label = instruction.label_create(actor=instructor, service_id=mairie.pk, name="  Urgent ")
    assert label.name == "Urgent"
    assert instruction.label_create(actor=instructor, service_id=mairie.pk, name="Urgent") == label
    instruction.quest_label_set(quest=quest, actor=instructor, label=label)
    instruction.quest_label_set(quest=quest, actor=instructor, label=label)
    assert QuestLabel.objects.filter(quest=quest).count() == 1
    foreign = Label.objects.create(service=outsider.memberships.get().service, name="Autre")
    with pytest.raises(instruction.QuestNotFound):
        instruction.quest_label_set(quest=quest, actor=instructor, label=foreign)
    with pytest.raises(instruction.QuestNotFound):
        instruction.label_create(actor=outsider, service_id=mairie.pk, name="Intrus")
    instruction.quest_label_set(quest=quest, actor=instructor, label=label, present=False)
    assert not QuestLabel.objects.filter(quest=quest).exists()


def test_the_message_thread_has_attachments_and_read_receipts(quest, instructor, outsider):
    sent = instruction.message_send(
        quest=quest,
        author=instructor,
        body="Merci d’envoyer une photo nette.",
        attachment=SimpleUploadedFile("exemple.png", PNG, content_type="image/png"),
    )
    assert sent.from_agent and sent.attachment_name == "exemple.png"
    assert sent.attachment.read().startswith(b"\x89PNG")
    assert Notification.objects.filter(recipient=quest.citizen, key=f"quest-message:{sent.pk}").exists()
    reply = instruction.message_send(quest=quest, author=quest.citizen, body="Voici.")
    assert not reply.from_agent
    # Nobody else writes in the thread.
    with pytest.raises(instruction.QuestNotFound):
        instruction.message_send(quest=quest, author=outsider, body="x")
    assert instruction.messages_mark_read(quest=quest, reader=quest.citizen) == 1
    assert instruction.messages_mark_read(quest=quest, reader=quest.citizen) == 0
    assert instruction.messages_mark_read(quest=quest, reader=instructor) == 1
    sent.refresh_from_db()
    reply.refresh_from_db()
    assert sent.read_by_citizen_at is not None and sent.read_by_agent_at is None
    assert reply.read_by_agent_at is not None


def test_a_bad_attachment_is_refused_and_nothing_is_written(quest, instructor):
    with pytest.raises(ProcedureError):
        instruction.message_send(
            quest=quest,
            author=instructor,
            body="x",
            attachment=SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream"),
        )
    assert not QuestMessage.objects.exists()


def test_accepting_issues_a_verifiable_attestation_once(quest, instructor, manager):
    decisions.quest_accept(quest=quest, actor=instructor)
    issued = Attestation.objects.get(quest=quest)
    data = issued.file.read()
    assert data.startswith(b"%PDF")
    assert attestation.attestation_verify(code=issued.code.lower().replace("-", " ")) == issued
    assert attestation.attestation_verify(code="0000-0000-0000") is None
    decisions.quest_reopen(quest=quest, actor=manager, motivation="Vérification")
    decisions.quest_accept(quest=quest, actor=instructor)
    assert Attestation.objects.filter(quest=quest).count() == 1


def test_bulk_actions_report_per_quest(passport, instructor):
    first, second, third = (submitted_quest(passport) for _ in range(3))
    decisions.quest_reject(quest=third, actor=instructor, motivation="Non")
    report = quests_bulk_apply(actor=instructor, quest_ids=[first.pk, second.pk, third.pk, 999999], action="accept")
    assert {quest.pk for quest in report.done} == {first.pk, second.pk}
    failed = {getattr(quest, "pk", quest): reason for quest, reason in report.failed}
    assert set(failed) == {third.pk, 999999}
    third.refresh_from_db()
    assert third.state == S.REJECTED
    report = quests_bulk_apply(actor=instructor, quest_ids=[third.pk], action="close", motivation="")
    assert report.failed and not report.done
