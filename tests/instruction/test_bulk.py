"""The inbox's bulk actions (issue 21, point 6): each quest on its own, what was done, what
already was, what was refused and why."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civiquest.accounts.models import AuditEvent, ServiceRole
from civiquest.actions import instruction as decisions
from civiquest.actions.instruction import quests_bulk_apply
from civiquest.instruction import bulk, inbox, marks
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Attestation, Label, OpinionRequest, QuestFollow, QuestLabel
from civiquest.quests.models import Answer, Quest, QuestDocument, QuestState, QuestStateCount, QuestTransition
from tests.accounts.factories import AgentFactory
from tests.catalogue.factories import ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest
from tests.instruction.test_inbox import many_quests

S = QuestState


def refused(report):
    return {getattr(quest, "pk", quest): reason for quest, reason in report.failed}


def pks(quests):
    return {quest.pk for quest in quests}


def test_assign_to_me_then_to_a_colleague_of_the_service_only(passport, instructor, mairie):
    first, second = submitted_quest(passport), submitted_quest(passport)
    report = quests_bulk_apply(actor=instructor, quest_ids=[first.pk, second.pk], action="assign", assignee=instructor)
    assert pks(report.done) == {first.pk, second.pk} and not report.failed
    colleague = member_of(mairie, ServiceRole.INSTRUCTOR)
    report = quests_bulk_apply(actor=instructor, quest_ids=[first.pk], action="assign_to", assignee=colleague)
    assert pks(report.done) == {first.pk}
    first.refresh_from_db()
    assert first.assignee == colleague
    # Someone of another service: refused, with the reason.
    stranger = member_of(ServiceFactory(), ServiceRole.INSTRUCTOR)
    report = quests_bulk_apply(actor=instructor, quest_ids=[second.pk], action="assign_to", assignee=stranger)
    assert "ne fait pas partie du service" in refused(report)[second.pk]
    # Again: already done, not an error.
    report = quests_bulk_apply(actor=instructor, quest_ids=[second.pk], action="assign", assignee=instructor)
    assert pks(report.unchanged) == {second.pk} and not report.done and not report.failed


def test_label_and_follow_are_idempotent(passport, instructor, mairie):
    first, second = submitted_quest(passport), submitted_quest(passport)
    label = Label.objects.create(service=mairie, name="Urgent")
    QuestLabel.objects.create(quest=first, label=label)
    report = quests_bulk_apply(actor=instructor, quest_ids=[first.pk, second.pk], action="label", label=label)
    assert pks(report.done) == {second.pk} and pks(report.unchanged) == {first.pk}
    assert QuestLabel.objects.filter(label=label).count() == 2
    report = quests_bulk_apply(actor=instructor, quest_ids=[first.pk, second.pk], action="follow")
    assert pks(report.done) == {first.pk, second.pk}
    assert marks.is_following(agent=instructor, quest=first) and marks.is_following(agent=instructor, quest=second)
    report = quests_bulk_apply(actor=instructor, quest_ids=[first.pk], action="follow")
    assert pks(report.unchanged) == {first.pk}
    report = quests_bulk_apply(actor=instructor, quest_ids=[first.pk], action="unfollow")
    assert pks(report.done) == {first.pk}
    assert QuestFollow.objects.filter(agent=instructor).count() == 1


def test_accept_only_when_nothing_is_missing(passport, instructor):
    complete, no_answer, no_document, waiting, other_case = (submitted_quest(passport) for _ in range(5))
    # The "perte" step and the old passport's number do not apply to a first request: not missing.
    assert bulk.accept_blockers(complete) == []
    Answer.objects.filter(quest=no_answer, field_name="nom").delete()
    QuestDocument.objects.filter(quest=no_document, input_name="pieces.id_photo").delete()
    OpinionRequest.objects.create(quest=waiting, asked_by=instructor, expert=AgentFactory(), question="Avis ?")
    # A renewal: the conditions now show the "perte" step and the old number, unanswered.
    Answer.objects.filter(quest=other_case, field_name="premiere_demande").update(value=False)
    ids = [complete.pk, no_answer.pk, no_document.pk, waiting.pk, other_case.pk]
    report = quests_bulk_apply(actor=instructor, quest_ids=ids, action="accept")
    assert pks(report.done) == {complete.pk}
    reasons = refused(report)
    assert "la réponse « Nom »" in reasons[no_answer.pk]
    assert "la pièce « Photo d’identité" in reasons[no_document.pk]
    assert "un avis demandé et pas encore rendu" in reasons[waiting.pk]
    assert "« Numéro de l’ancien passeport »" in reasons[other_case.pk]
    assert "« Motif du renouvellement »" in reasons[other_case.pk]
    for quest in (no_answer, no_document, waiting, other_case):
        quest.refresh_from_db()
        assert quest.state == S.SUBMITTED and not Attestation.objects.filter(quest=quest).exists()
    # The opinion given, the quest can be accepted; accepting again is "déjà fait".
    OpinionRequest.objects.filter(quest=waiting).update(answer="Favorable", answered_at=timezone.now())
    report = quests_bulk_apply(actor=instructor, quest_ids=[waiting.pk, complete.pk], action="accept")
    assert pks(report.done) == {waiting.pk} and pks(report.unchanged) == {complete.pk}


def test_only_decided_quests_are_archived_and_leave_their_tabs(passport, instructor, manager):
    accepted, rejected, open_one = (submitted_quest(passport) for _ in range(3))
    decisions.quest_accept(quest=accepted, actor=instructor)
    decisions.quest_reject(quest=rejected, actor=instructor, motivation="Non")
    ids = [accepted.pk, rejected.pk, open_one.pk]
    report = quests_bulk_apply(actor=instructor, quest_ids=ids, action="archive")
    assert pks(report.done) == {accepted.pk, rejected.pk}
    assert "« Déposé »" in refused(report)[open_one.pk]
    assert Quest.objects.get(pk=open_one.pk).archived_at is None
    # Archiving an archived quest is "déjà fait".
    report = quests_bulk_apply(actor=instructor, quest_ids=[accepted.pk], action="archive")
    assert pks(report.unchanged) == {accepted.pk} and not report.failed

    def tab(state):
        found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(state=state))
        return {row.pk for row in found.rows}, found

    archived, found = tab(inbox.ARCHIVED)
    assert archived == {accepted.pk, rejected.pk} and found.shown == 2 and found.counts[inbox.ARCHIVED] == 2
    every, found = tab("all")
    assert every == {open_one.pk} and found.total == 1 and found.counts[S.ACCEPTED] == 0
    assert tab(S.ACCEPTED)[0] == set()
    # Back from the archives; and a reopened quest is no longer archived.
    report = quests_bulk_apply(actor=instructor, quest_ids=[accepted.pk], action="unarchive")
    assert pks(report.done) == {accepted.pk}
    assert tab(S.ACCEPTED)[0] == {accepted.pk}
    decisions.quest_reopen(quest=rejected, actor=manager, motivation="Erreur")
    assert Quest.objects.get(pk=rejected.pk).archived_at is None
    assert tab(inbox.ARCHIVED)[0] == set()


def test_the_stored_counts_follow_the_archives(passport, instructor):
    if connection.vendor != "postgresql":
        pytest.skip("the counts are stored by PostgreSQL triggers")
    quests = many_quests(passport, 4, state=S.ACCEPTED)
    quests_bulk_apply(actor=instructor, quest_ids=[quest.pk for quest in quests[:3]], action="archive")
    quests_bulk_apply(actor=instructor, quest_ids=[quests[0].pk], action="unarchive")
    stored = dict(QuestStateCount.objects.filter(procedure=passport).values_list("state", "count"))
    assert stored[S.ACCEPTED] == 2 and stored[inbox.ARCHIVED] == 2
    counts = inbox.inbox(agent=instructor, filters=inbox.InboxFilters()).counts
    assert counts[S.ACCEPTED] == 2 and counts[inbox.ARCHIVED] == 2


def test_a_failing_quest_leaves_nothing_behind_and_the_others_go_on(passport, instructor, monkeypatch):
    good, bad, also_good = (submitted_quest(passport) for _ in range(3))
    issue = instruction.attestation_issue

    def failing(*, quest, **kwargs):
        if quest.pk == bad.pk:
            raise instruction.InstructionRefused("L’attestation n’a pas pu être produite.")
        return issue(quest=quest, **kwargs)

    monkeypatch.setattr(instruction, "attestation_issue", failing)
    before = QuestTransition.objects.filter(quest=bad).count()
    report = quests_bulk_apply(actor=instructor, quest_ids=[good.pk, bad.pk, also_good.pk], action="accept")
    assert pks(report.done) == {good.pk, also_good.pk}
    assert refused(report) == {bad.pk: "L’attestation n’a pas pu être produite."}
    bad.refresh_from_db()
    # Not even its passage "en instruction", on the way to the decision.
    assert bad.state == S.SUBMITTED and QuestTransition.objects.filter(quest=bad).count() == before
    event = AuditEvent.objects.filter(action="quest.bulk").get()
    assert set(event.details["quests"]) == {str(good.pk), str(also_good.pk)} and event.details["failed"] == [bad.pk]


def test_a_quest_of_another_service_is_not_found_and_never_named(passport, instructor):
    elsewhere, _revision = published([{"slug": "a", "title": "A", "kind": "info"}], service=ServiceFactory())
    (foreign,) = many_quests(elsewhere, 1, state=S.ACCEPTED)
    mine = submitted_quest(passport)
    ids = [foreign.pk, "abc", 2**70, mine.pk]
    report = quests_bulk_apply(actor=instructor, quest_ids=ids, action="follow")
    assert pks(report.done) == {mine.pk}
    assert [(quest, reason) for quest, reason in report.failed] == [
        (foreign.pk, "Dossier introuvable."),
        (0, "Dossier introuvable."),
    ]
    assert not QuestFollow.objects.filter(quest=foreign).exists()


def _queries(instructor, quests, action):
    with CaptureQueriesContext(connection) as captured:
        report = quests_bulk_apply(actor=instructor, quest_ids=[quest.pk for quest in quests], action=action)
    assert not report.failed
    return len(captured.captured_queries)


@pytest.mark.parametrize("action", ["archive", "follow"])
def test_the_queries_per_quest_do_not_grow_with_the_selection(passport, instructor, action):
    quests = many_quests(passport, 13, state=S.CLOSED)
    one = _queries(instructor, quests[:1], action)
    two = _queries(instructor, quests[1:3], action)
    ten = _queries(instructor, quests[3:13], action)
    per_quest = two - one
    assert per_quest <= 8  # savepoints, the lock or the mark, the write
    assert ten == one + 9 * per_quest
