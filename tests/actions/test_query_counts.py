"""Write paths: the exact number of SQL statements each use case sends, on SQLite and PostgreSQL.

Each test brings a quest (or a wallet) to the state the use case starts from, as a citizen
or an agent would, then runs the use case once under ``CaptureQueriesContext`` and asserts
the exact count (``==``, not a bound): a new query on a write path fails here and is either
removed or recorded in ``STATEMENTS`` (and ``docs/benchmarks.md``).

What is counted: every statement Django sends, savepoints included. pytest-django runs each
test inside a transaction, so the use case's own transaction shows as a ``SAVEPOINT`` …
``RELEASE SAVEPOINT`` pair; in production it is ``BEGIN`` … ``COMMIT``, the same number of
statements. "One transaction" is checked on the same statements (``transactions_of``): the
first opens a top-level block, the last closes it, and nothing runs outside it — two
top-level blocks, or a statement between them, would be two transactions in production.
This is reliable on both databases, unlike counting ``BEGIN`` (PostgreSQL's is implicit
in psycopg and never reaches Django's cursor) or ``COMMIT`` (``connection.commit()`` is no
cursor statement).

The scenarios are the steady state a use case usually meets: the revision was read before
(``revision_content`` caches a published revision's steps), the citizen already holds a
level row, content types are cached. Where a first time costs more (a first level reached,
badges won), it is a scenario of its own, with what it writes. One difference with a running
server remains: no test transaction commits, so a citizen's level, cached after commit, is
never cached here, and ``level_of`` reads the ledger (two queries) where a server often reads
one (its check that the cached level is still current).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civiquest.actions import instruction as decisions
from civiquest.actions.appointments import appointment_book
from civiquest.actions.documents import document_add
from civiquest.actions.quests import quest_start, quest_step_complete, quest_step_save, quest_submit
from civiquest.appointments import services as booking
from civiquest.appointments.models import AppointmentReason, AppointmentStatus
from civiquest.catalogue.models import StepKind
from civiquest.documents.models import DocumentType
from civiquest.instruction.models import ChangeRequest
from civiquest.progress import badges, rewards
from civiquest.progress import services as progress_services
from civiquest.progress.models import BadgeAward, LevelState, XpEntry
from civiquest.quests.models import Quest, QuestState, StepProgress
from tests.catalogue.factories import INSTRUCTED_ANSWERS, published
from tests.integrations.ants_editor.factories import MeetingPointFactory, TimeSlotFactory
from tests.quests.fixtures import fill, step

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Use case → statements, per database (``connection.vendor``). PostgreSQL adds the audit chain's
# advisory lock (``SELECT pg_advisory_xact_lock``) to each audited action. Before issue 16 (the
# same scenarios, at the start of the work): step save 55, draft save 19, step done 26, submission
# 24/25 (SQLite/PostgreSQL), review started 26/27, changes requested 28/29, first acceptance
# 84/85 (badges evaluated twice), acceptance 47/48, refusal 24/25, document 20, booking 37.
STATEMENTS: dict[str, dict[str, int]] = {
    "quest_step_save": {"sqlite": 15, "postgresql": 15},
    "quest_step_save (draft)": {"sqlite": 8, "postgresql": 8},
    "quest_step_complete": {"sqlite": 13, "postgresql": 13},
    "quest_submit": {"sqlite": 11, "postgresql": 12},
    "quest_start_review": {"sqlite": 11, "postgresql": 12},
    # + 4 since issue 21 (corrections per field): the answers read once (what applies, what is kept
    # as asked), the documents of the whole step asked, the inputs opened, the asker following.
    "quest_request_changes": {"sqlite": 15, "postgresql": 16},
    # + 1 since issue 18: the recommendation rules, read into the shared cache (empty in a test),
    # to know whether the acceptance meets a recommended deadline.
    "quest_accept (first: level and 3 badges)": {"sqlite": 30, "postgresql": 31},
    # - 2 since issue 20: the second acceptance's XP, a milestone, is no longer capped to 0 by the
    # first one's, so the award remembers the level and the badges do not read it again.
    "quest_accept": {"sqlite": 22, "postgresql": 23},
    "quest_reject": {"sqlite": 9, "postgresql": 10},
    "document_add": {"sqlite": 12, "postgresql": 12},
    # +1: the APPOINTMENT notification (one INSERT, its key names the new appointment).
    "appointment_book": {"sqlite": 25, "postgresql": 25},
}


def statements_of(run: Callable[[], Any]) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        result = run()
    return result, [query["sql"] for query in captured.captured_queries]


def transactions_of(statements: list[str]) -> int:
    """How many transactions the statements make in production: top-level blocks, plus each statement outside one."""
    depth = 0
    count = 0
    for sql in statements:
        if sql.startswith("SAVEPOINT "):
            count += depth == 0
            depth += 1
        elif sql.startswith("RELEASE SAVEPOINT "):
            depth -= 1
        elif depth == 0:
            count += 1  # autocommit: a transaction of its own
    assert depth == 0
    return count


def expect(use_case: str, statements: list[str]) -> None:
    """Exactly the recorded count for this database, in one transaction; the statements listed otherwise."""
    listing = "\n".join(f"{number:3} {sql[:200]}" for number, sql in enumerate(statements, start=1))
    assert transactions_of(statements) == 1, f"{use_case} is not one transaction:\n{listing}"
    wanted = STATEMENTS[use_case][connection.vendor]
    assert len(statements) == wanted, f"{use_case}: {len(statements)} statements on {connection.vendor}:\n{listing}"


@pytest.fixture(autouse=True)
def _content_types_cached():
    """Content types come from the per-process cache, as in a running server."""
    ContentType.objects.clear_cache()
    ContentType.objects.get_for_models(Quest, StepProgress)


@pytest.fixture
def evaluations(monkeypatch):
    """How many times badges are evaluated (the real evaluation still runs)."""
    calls: list[tuple[str, ...] | None] = []
    real = badges.badges_evaluate

    def counting(*, citizen, codes=None):
        calls.append(None if codes is None else tuple(codes))
        return real(citizen=citizen, codes=codes)

    # Wherever the evaluation is called from (imported by name in each caller).
    for module in (badges, rewards, progress_services):
        monkeypatch.setattr(module, "badges_evaluate", counting)
    return calls


def started(citizen, procedure) -> Quest:
    """A quest whose first step (information to read) is done: the citizen has a level row."""
    quest = quest_start(citizen=citizen, procedure=procedure)
    quest_step_complete(quest=quest, step=step(quest, "avant-de-commencer"))
    assert LevelState.objects.filter(citizen=citizen).exists()
    return quest


def submitted(citizen, procedure) -> Quest:
    quest = fill(quest_start(citizen=citizen, procedure=procedure))
    quest_submit(quest=quest, actor=citizen)
    return quest


def in_review(citizen, procedure, agent) -> Quest:
    quest = submitted(citizen, procedure)
    decisions.quest_start_review(quest=quest, actor=agent)
    return quest


# --- The citizen's quest ---------------------------------------------------------------------


def test_saving_a_form_step_and_marking_it_done(citizen, passport):
    quest = started(citizen, passport)
    identity = step(quest, "identite")
    saved, statements = statements_of(
        lambda: quest_step_save(quest=quest, step=identity, data=INSTRUCTED_ANSWERS["identite"], complete=True)
    )
    assert saved.completed and not saved.errors
    assert StepProgress.objects.get(quest=quest, step=identity).done_at is not None
    assert XpEntry.objects.filter(key=f"quest-step:{quest.pk}:{identity.pk}").exists()
    expect("quest_step_save", statements)


def test_saving_a_form_step_as_a_draft(citizen, passport):
    quest = started(citizen, passport)
    identity = step(quest, "identite")
    saved, statements = statements_of(lambda: quest_step_save(quest=quest, step=identity, data={"nom": "Martin"}))
    assert not saved.completed and not saved.errors
    expect("quest_step_save (draft)", statements)


def test_marking_a_step_done(citizen, passport):
    quest = started(citizen, passport)
    outside = step(quest, "pre-demande")
    quest_step_save(quest=quest, step=outside, data=INSTRUCTED_ANSWERS["pre-demande"])
    _, statements = statements_of(lambda: quest_step_complete(quest=quest, step=outside))
    assert StepProgress.objects.get(quest=quest, step=outside).done_at is not None
    expect("quest_step_complete", statements)


def test_submitting(citizen, passport):
    quest = fill(quest_start(citizen=citizen, procedure=passport))
    _, statements = statements_of(lambda: quest_submit(quest=quest, actor=citizen))
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED and quest.deadline_at is None
    expect("quest_submit", statements)


# --- The agent's decisions -------------------------------------------------------------------


def test_starting_the_review(citizen, passport, instructor):
    quest = submitted(citizen, passport)
    _, statements = statements_of(lambda: decisions.quest_start_review(quest=quest, actor=instructor))
    quest.refresh_from_db()
    assert quest.state == QuestState.IN_REVIEW and quest.assignee == instructor
    expect("quest_start_review", statements)


def test_requesting_changes(citizen, passport, instructor):
    quest = in_review(citizen, passport, instructor)
    _, statements = statements_of(
        lambda: decisions.quest_request_changes(
            quest=quest, actor=instructor, message="La photo est floue.", targets=["step:pieces"]
        )
    )
    quest.refresh_from_db()
    assert quest.state == QuestState.CHANGES_REQUESTED
    assert ChangeRequest.objects.get(quest=quest).targets == ["step:pieces"]
    expect("quest_request_changes", statements)


def test_a_first_acceptance_evaluates_badges_once(citizen, passport, instructor, evaluations):
    """The citizen's first quest accepted: level 2 reached and three badges won, each told."""
    quest = in_review(citizen, passport, instructor)
    evaluations.clear()
    _, statements = statements_of(lambda: decisions.quest_accept(quest=quest, actor=instructor))
    expect("quest_accept (first: level and 3 badges)", statements)
    assert evaluations == [None]  # once, every badge (the level's included)
    assert LevelState.objects.get(citizen=citizen).max_level == 2
    assert set(BadgeAward.objects.filter(citizen=citizen).values_list("code", flat=True)) == {
        "premiere-demarche",
        "sans-correction",
        "premier-document",
    }


def test_accepting(citizen, passport, instructor, evaluations):
    """A quest accepted when the citizen has nothing new to win (a second quest of theirs)."""
    decisions.quest_accept(quest=in_review(citizen, passport, instructor), actor=instructor)
    quest = in_review(citizen, passport, instructor)
    awarded = BadgeAward.objects.count()
    evaluations.clear()
    _, statements = statements_of(lambda: decisions.quest_accept(quest=quest, actor=instructor))
    quest.refresh_from_db()
    assert quest.state == QuestState.ACCEPTED and quest.attestation is not None
    assert evaluations == [None] and BadgeAward.objects.count() == awarded
    expect("quest_accept", statements)


def test_rejecting(citizen, passport, instructor):
    quest = in_review(citizen, passport, instructor)
    _, statements = statements_of(
        lambda: decisions.quest_reject(quest=quest, actor=instructor, motivation="Pièces incomplètes.")
    )
    quest.refresh_from_db()
    assert quest.state == QuestState.REJECTED
    expect("quest_reject", statements)


# --- The wallet and appointments -------------------------------------------------------------


def test_adding_a_document(citizen):
    """A second document, a valid passport: the wallet badges evaluated, one of them won and told."""
    document_add(owner=citizen, file=SimpleUploadedFile("avis.pdf", PDF_BYTES), type=DocumentType.OTHER)
    _, statements = statements_of(
        lambda: document_add(
            owner=citizen,
            file=SimpleUploadedFile("passeport.pdf", PDF_BYTES),
            type=DocumentType.PASSPORT,
            expires_on=timezone.localdate() + dt.timedelta(days=3650),
        )
    )
    assert set(BadgeAward.objects.filter(citizen=citizen).values_list("code", flat=True)) == {
        "premier-document",
        "papiers-en-regle",
    }
    expect("document_add", statements)


def test_booking_an_appointment(citizen, mairie, monkeypatch):
    """The booking's one transaction; the ANTS calls before and after it are HTTP, replaced here."""
    procedure, _revision = published(
        [
            {"slug": "avant-de-commencer", "title": "Avant de commencer", "kind": StepKind.INFO},
            {"slug": "rendez-vous", "title": "Rendez-vous en mairie", "kind": StepKind.APPOINTMENT},
            {"slug": "instruction", "title": "Instruction", "kind": StepKind.AGENT_REVIEW},
        ],
        service=mairie,
        slug="carte-identite",
        title="Carte d’identité",
    )
    quest = started(citizen, procedure)
    slot = TimeSlotFactory(meeting_point=MeetingPointFactory(service=mairie))
    monkeypatch.setattr(booking, "booking_check", lambda number, *, confirm_elsewhere: number)
    monkeypatch.setattr(booking, "book_announce", lambda *, appointment, replaced: appointment)
    appointment, statements = statements_of(
        lambda: appointment_book(
            citizen=citizen, slot_id=slot.pk, application_id="AB12CD34EF", reason=AppointmentReason.CNI, quest=quest
        )
    )
    expect("appointment_book", statements)
    assert appointment.status == AppointmentStatus.BOOKED
    assert StepProgress.objects.get(quest=quest, step__slug="rendez-vous").done_at is not None
