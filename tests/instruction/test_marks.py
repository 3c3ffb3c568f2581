"""Issue 21, point 2: the citizen's changes mark a quest "nouveau" for its assignee and followers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civiquest.accounts.models import ServiceMembership, ServiceRole
from civiquest.actions import instruction as decisions
from civiquest.actions.documents import document_attach
from civiquest.actions.instruction import quest_follow_set
from civiquest.actions.quests import quest_step_save, quest_submit
from civiquest.documents.models import DocumentType
from civiquest.documents.services import document_upload
from civiquest.instruction import inbox, marks
from civiquest.instruction import services as instruction
from civiquest.instruction.models import QuestChangeKind, QuestFollow, QuestMark
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.quests.models import Answer, Quest
from tests.catalogue.factories import INSTRUCTED_ANSWERS, ServiceFactory, member_of, with_wallet_documents
from tests.instruction.helpers import submitted_quest
from tests.instruction.test_inbox import NOW, many_quests

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CIVIQUEST_PRIVATE_ROOT = tmp_path / "private"
    settings.CIVIQUEST_CLAMD_SOCKET = ""
    settings.CIVIQUEST_CLAMD_HOST = ""


@pytest.fixture
def quest(passport):
    return submitted_quest(passport)


@pytest.fixture
def follower(mairie):
    return member_of(mairie, ServiceRole.INSTRUCTOR)


@pytest.fixture
def watched(quest, instructor, follower):
    """A quest assigned to ``instructor`` and followed by ``follower``, changes requested."""
    decisions.quest_start_review(quest=quest, actor=instructor)
    quest_follow_set(agent=follower, quest=quest, follow=True)
    decisions.quest_request_changes(quest=quest, actor=instructor, message="Photo floue", targets=[])
    quest.refresh_from_db()
    assert quest.assignee == instructor
    return quest


def marked(quest):
    return set(QuestMark.objects.filter(quest=quest).values_list("agent_id", "kind"))


def change_notices(agent):
    return Notification.objects.filter(recipient=agent, kind=NotificationKind.QUEST_CHANGE).count()


def test_a_resubmission_marks_the_quest_for_its_assignee_and_followers(watched, instructor, follower, manager):
    assert marked(watched) == set()
    quest_submit(quest=watched, actor=watched.citizen)
    kind = QuestChangeKind.RESUBMITTED
    assert marked(watched) == {(instructor.pk, kind), (follower.pk, kind)}
    assert change_notices(instructor) == change_notices(follower) == 1
    # An agent of the service who neither holds nor follows the quest is not told.
    assert change_notices(manager) == 0


def test_a_citizen_message_marks_the_quest_an_agent_message_does_not(watched, instructor, follower):
    instruction.message_send(quest=watched, author=instructor, body="Une précision ?")
    assert marked(watched) == set()
    instruction.message_send(quest=watched, author=watched.citizen, body="Voici.")
    kind = QuestChangeKind.MESSAGE
    assert marked(watched) == {(instructor.pk, kind), (follower.pk, kind)}


def test_a_document_added_to_a_quest_under_correction_marks_it(watched, instructor, follower):
    document = document_upload(
        owner=watched.citizen, file=SimpleUploadedFile("avis.pdf", PDF_BYTES), type=DocumentType.TAX_NOTICE
    )
    document_attach(quest=watched, document=document, step_slug="pieces")
    kind = QuestChangeKind.DOCUMENT
    assert marked(watched) == {(instructor.pk, kind), (follower.pk, kind)}


def test_the_actor_is_never_marked(watched, instructor):
    # An agent changing the quest is never told of their own change.
    assert marks.quest_changed(quest=watched, kind=QuestChangeKind.MESSAGE, actor=instructor) == 1
    assert set(QuestMark.objects.filter(quest=watched).values_list("agent_id", flat=True)) != {instructor.pk}
    assert not QuestMark.objects.filter(quest=watched, agent=instructor).exists()


def test_drafts_mark_nobody(draft_quest, instructor):
    Quest.objects.filter(pk=draft_quest.pk).update(assignee=instructor)
    draft_quest.refresh_from_db()
    assert marks.quest_changed(quest=draft_quest, kind=QuestChangeKind.MESSAGE) == 0


def test_reading_clears_the_mark_idempotently(watched, instructor, follower):
    quest_submit(quest=watched, actor=watched.citizen)
    assert marks.mark_clear(agent=instructor, quest=watched) == 1
    assert marks.mark_clear(agent=instructor, quest=watched) == 0
    assert marked(watched) == {(follower.pk, QuestChangeKind.RESUBMITTED)}


def test_a_follower_who_left_the_service_is_not_marked(watched, follower, instructor):
    ServiceMembership.objects.filter(user=follower).delete()
    quest_submit(quest=watched, actor=watched.citizen)
    assert marked(watched) == {(instructor.pk, QuestChangeKind.RESUBMITTED)}


def test_following_is_idempotent_and_can_stop(quest, follower):
    quest_follow_set(agent=follower, quest=quest, follow=True)
    quest_follow_set(agent=follower, quest=quest, follow=True)
    assert QuestFollow.objects.filter(quest=quest, agent=follower).count() == 1
    assert marks.is_following(agent=follower, quest=quest)
    quest_follow_set(agent=follower, quest=quest, follow=False)
    assert not marks.is_following(agent=follower, quest=quest)


def test_the_new_tab_and_badge(passport, instructor, follower):
    quests = many_quests(passport, 5)
    for quest in quests[1:3]:
        Quest.objects.filter(pk=quest.pk).update(assignee=instructor)
        marks.quest_changed(quest=Quest.objects.get(pk=quest.pk), kind=QuestChangeKind.MESSAGE)
    found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW)
    assert {row.pk for row in found.rows if row.new} == {quests[1].pk, quests[2].pk}
    new = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(new=True), now=NOW)
    assert [row.pk for row in new.rows] == [quests[1].pk, quests[2].pk]
    assert all(row.new for row in new.rows)
    # The marks are the agent's own: another agent of the service sees none.
    theirs = inbox.inbox(agent=follower, filters=inbox.InboxFilters(), now=NOW)
    assert not any(row.new for row in theirs.rows)
    assert inbox.inbox(agent=follower, filters=inbox.InboxFilters(new=True), now=NOW).rows == []
    assert inbox.InboxFilters.from_query({"nouveaux": "1"}).new


def test_the_inbox_queries_do_not_grow_with_the_marks(passport, instructor, django_assert_num_queries):
    quests = many_quests(passport, 200)
    instructor.refresh_from_db()
    with django_assert_num_queries(6):
        inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW)
    QuestMark.objects.bulk_create(QuestMark(agent=instructor, quest=quest, kind="message") for quest in quests)
    with django_assert_num_queries(6):
        found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=NOW)
    assert all(row.new for row in found.rows)
    with django_assert_num_queries(6):
        inbox.inbox(agent=instructor, filters=inbox.InboxFilters(new=True), now=NOW)


def test_another_services_agent_is_never_marked(watched, instructor):
    outsider = member_of(ServiceFactory(name="Mairie de Dumbéa"), ServiceRole.MANAGER)
    QuestFollow.objects.create(agent=outsider, quest=watched)  # a stale or forged follow
    quest_submit(quest=watched, actor=watched.citizen)
    assert not QuestMark.objects.filter(agent=outsider).exists()
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_a_document_answer_saved_during_a_correction_marks_the_quest(watched, instructor, follower):
    step = watched.revision.steps.get(slug="pieces")
    # Saving the same answers again gives no new document: nobody is told.
    current = dict(Answer.objects.filter(quest=watched).values_list("field_name", "value"))
    unchanged = {name: current[name] for name in INSTRUCTED_ANSWERS["pieces"] if name in current}
    quest_step_save(quest=watched, step=step, data=unchanged)
    assert marked(watched) == set()
    data = with_wallet_documents(watched, step, {"pieces.id_photo": 1})
    assert quest_step_save(quest=watched, step=step, data=data).errors == {}
    kind = QuestChangeKind.DOCUMENT
    assert marked(watched) == {(instructor.pk, kind), (follower.pk, kind)}
