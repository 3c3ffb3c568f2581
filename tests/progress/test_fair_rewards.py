"""Fair rewards (issue 20, point 5): milestones never capped, caps per kind of repeatable
action, each reduction explained on the ledger, and only the badges that can be earned shown."""

import pytest
from django.urls import reverse

from civiquest.catalogue.models import ProcedureStatus, StepKind
from civiquest.catalogue.services import revision_publish
from civiquest.progress import xp
from civiquest.progress.badges import ENTRAIDE_BADGE, REASON_ENTRAIDE, badge_codes_of, badges_evaluate
from civiquest.progress.models import REPEATABLE_KINDS, XpEntry, XpKind, XpLimit
from civiquest.progress.rewards import REASON_DONE, REASON_STEP, on_time_reward
from civiquest.progress.selectors import badge_collection
from tests.catalogue.factories import ProcedureFactory, RevisionFactory, add_steps

pytestmark = pytest.mark.django_db

PROGRESS = "/mon-espace/progression/"


def fill_the_day_with_steps(citizen):
    """Small repeatable actions (steps) until the day's cap is reached: the next one earns nothing."""
    n = 0
    while xp.xp_award(citizen=citizen, amount=10, reason=REASON_STEP, key=f"fill:{citizen.pk}:{n}", kind=XpKind.STEP):
        n += 1
    assert XpEntry.objects.filter(citizen=citizen, key=f"fill:{citizen.pk}:{n}", amount=0).exists()


def test_done_when_a_quest_accepted_after_the_days_cap_of_steps_earns_its_milestone_in_full(
    ready_quest, instructor, accept, settings
):
    settings.PROGRESS_XP_DAILY_CAP = 100
    citizen = ready_quest.citizen
    fill_the_day_with_steps(citizen)
    assert xp.xp_award(citizen=citizen, amount=10, reason=REASON_STEP, key="one-more-step", kind=XpKind.STEP) is None
    before = xp.balance_of(citizen)

    accept(ready_quest, instructor)

    done = XpEntry.objects.get(citizen=citizen, reason=REASON_DONE)
    assert done.kind == XpKind.MILESTONE
    assert done.requested == ready_quest.revision.completion_xp > 0
    assert done.amount == done.requested and done.limit == XpLimit.NONE
    assert xp.balance_of(citizen) == before + done.amount


def test_milestones_are_neither_diminished_nor_counted_against_the_daily_cap(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 100
    # Two milestones of the same reason the same day: both in full (no diminishing returns).
    first = xp.xp_award(citizen=citizen, amount=80, reason=REASON_DONE, key="m1", kind=XpKind.MILESTONE)
    second = xp.xp_award(citizen=citizen, amount=80, reason=REASON_DONE, key="m2", kind=XpKind.MILESTONE)
    assert (first.amount, second.amount) == (80, 80)
    # They used none of the room of the repeatable actions.
    assert xp.xp_award(citizen=citizen, amount=100, reason=REASON_STEP, key="s1", kind=XpKind.STEP).amount == 100
    # Still exactly once by key.
    assert xp.xp_award(citizen=citizen, amount=80, reason=REASON_DONE, key="m1", kind=XpKind.MILESTONE) is None


def test_the_on_time_bonus_is_a_milestone(ready_quest, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10
    citizen = ready_quest.citizen
    fill_the_day_with_steps(citizen)
    entry = on_time_reward(quest=ready_quest)
    assert entry is not None and entry.amount == entry.requested and entry.kind == XpKind.MILESTONE


def test_the_daily_cap_counts_every_repeatable_kind_and_the_self_declared_sub_cap_holds(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 40
    settings.PROGRESS_XP_SELF_DECLARED_DAILY_CAP = 10
    assert XpKind.MILESTONE not in REPEATABLE_KINDS
    assert {XpKind.STEP, XpKind.HABIT, XpKind.SHARE, XpKind.ENTRAIDE} == REPEATABLE_KINDS
    assert (
        xp.xp_award(citizen=citizen, amount=15, reason="h", key="h", kind=XpKind.HABIT, self_declared=True).amount
        == 10
    )
    assert xp.xp_award(citizen=citizen, amount=15, reason="s", key="s", kind=XpKind.SHARE).amount == 15
    assert xp.xp_award(citizen=citizen, amount=15, reason="e", key="e", kind=XpKind.ENTRAIDE).amount == 15
    assert xp.xp_award(citizen=citizen, amount=15, reason="t", key="t", kind=XpKind.STEP) is None


def test_each_line_keeps_why_it_was_reduced(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 30
    settings.PROGRESS_XP_SELF_DECLARED_DAILY_CAP = 5
    full = xp.xp_award(citizen=citizen, amount=10, reason="same", key="r1")
    halved = xp.xp_award(citizen=citizen, amount=10, reason="same", key="r2")
    declared = xp.xp_award(citizen=citizen, amount=10, reason="declared", key="d1", self_declared=True)
    xp.xp_award(citizen=citizen, amount=10, reason="other", key="c1")
    assert (full.limit, halved.limit, declared.limit) == (XpLimit.NONE, XpLimit.REPEATED, XpLimit.SELF_DECLARED_CAP)
    assert (halved.amount, declared.amount) == (5, 5)
    capped = XpEntry.objects.get(key="c1")
    assert (capped.amount, capped.requested, capped.limit) == (10, 10, XpLimit.NONE)
    xp.xp_award(citizen=citizen, amount=10, reason="late", key="c2")
    capped = XpEntry.objects.get(key="c2")
    assert (capped.amount, capped.limit) == (0, XpLimit.DAILY_CAP)


def test_a_reversal_keeps_the_kind_of_what_it_reverses(citizen):
    entry = xp.xp_award(citizen=citizen, amount=50, reason=REASON_DONE, key="done", kind=XpKind.MILESTONE)
    reversal = xp.xp_reverse(entry=entry, reason="quest.reopened", key="done-rev")
    assert reversal.kind == XpKind.MILESTONE


def test_the_ledger_says_why_each_xp_was_given_or_not(client, login_verified, citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 15
    xp.xp_award(citizen=citizen, amount=10, reason=REASON_STEP, key="p1", kind=XpKind.STEP)
    xp.xp_award(citizen=citizen, amount=10, reason=REASON_STEP, key="p2", kind=XpKind.STEP)  # halved: 5
    xp.xp_award(citizen=citizen, amount=10, reason=REASON_ENTRAIDE, key="p3", kind=XpKind.ENTRAIDE)  # capped: 0
    xp.xp_award(citizen=citizen, amount=50, reason=REASON_DONE, key="p4", kind=XpKind.MILESTONE)
    login_verified(client, citizen)
    html = client.get(PROGRESS).content.decode()
    assert "action répétée aujourd’hui : gain réduit" in html
    assert "limite du jour atteinte" in html
    assert "Réponse utile à l’entraide" in html and "Étape vérifiée" in html and "Démarche aboutie" in html
    assert "Étape clé : jamais plafonnée." in html
    # One visible heading: the table's caption is for screen readers only.
    assert html.count('<h2 id="historique-titre">') == 1
    assert 'class="fr-table fr-table--no-caption"' in html


def unpublished_badge_procedure(code):
    procedure = ProcedureFactory(slug=f"p-{code}")
    revision = RevisionFactory(procedure=procedure, badge_codes=[code])
    add_steps(revision, [{"slug": "info", "title": "Info", "kind": StepKind.INFO}])
    return procedure


def test_a_badge_no_published_procedure_awards_is_not_shown(citizen):
    shown = {slot.badge.code for slot in badge_collection(citizen=citizen)}
    assert "premiere-demarche" in shown and "niveau-5" in shown
    # The test database has no procedure awarding "voyageur", nor one on the tax calendar.
    assert "voyageur" not in shown and "dans-les-temps" not in shown
    procedure = unpublished_badge_procedure("voyageur")
    assert "voyageur" not in {slot.badge.code for slot in badge_collection(citizen=citizen)}
    revision_publish(procedure=procedure)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.PUBLISHED
    assert "voyageur" in {slot.badge.code for slot in badge_collection(citizen=citizen)}


def test_a_badge_earned_stays_shown_even_when_no_longer_offered(citizen):
    from civiquest.progress.models import BadgeAward

    BadgeAward.objects.create(citizen=citizen, code="voyageur")
    slots = {slot.badge.code: slot for slot in badge_collection(citizen=citizen)}
    assert slots["voyageur"].earned


def test_the_entraide_badge_is_neither_shown_nor_awarded_when_entraide_rewards_are_off(citizen, settings):
    xp.xp_award(citizen=citizen, amount=15, reason=REASON_ENTRAIDE, key="helped", kind=XpKind.ENTRAIDE)
    assert ENTRAIDE_BADGE in {slot.badge.code for slot in badge_collection(citizen=citizen)}
    settings.ENTRAIDE_REWARDS_PER_HELPER_WEEK = 0
    assert ENTRAIDE_BADGE not in {slot.badge.code for slot in badge_collection(citizen=citizen)}
    badges_evaluate(citizen=citizen, codes=[ENTRAIDE_BADGE])
    assert ENTRAIDE_BADGE not in badge_codes_of(citizen)
    settings.ENTRAIDE_REWARDS_PER_HELPER_WEEK = 5
    badges_evaluate(citizen=citizen, codes=[ENTRAIDE_BADGE])
    assert ENTRAIDE_BADGE in badge_codes_of(citizen)


def test_the_progress_page_lists_only_available_badges(client, login_verified, citizen):
    login_verified(client, citizen)
    html = client.get(reverse("citizen:progress")).content.decode()
    assert 'id="badge-premiere-demarche"' in html
    assert 'id="badge-voyageur"' not in html


@pytest.fixture
def migrated_back_to_latest():
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_the_kind_of_older_lines(migrated_back_to_latest):
    import datetime as dt

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.accounts.factories import CitizenFactory

    before = [("progress", "0006_notifications_moved")]
    after = [("progress", "0007_xp_kind_and_limit")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldEntry = old_apps.get_model("progress", "XpEntry")
    citizen_id = CitizenFactory().pk
    day = dt.date(2026, 12, 1)

    def line(reason, key, amount=10, **extra):
        return OldEntry.objects.create(
            citizen_id=citizen_id, amount=amount, requested=amount, reason=reason, key=key, day=day, **extra
        )

    done = line("quest.done", "quest-done:1:0", 50)
    line("quest.reopened", "quest-done-reversal:1", -50, reverses=done)
    line("quest.on_time", "quest-on-time:1", 25)
    line("share", "share:1:badge:x", 5)
    helped = line("entraide.answer", "entraide-answer:1", 15)
    line("staff.revoked", "revoke:1", -15, reverses=helped)
    line("Habitude : voter", "habit-checkin:1", 5)
    line("quest.step", "quest-step:1:1")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    kinds = dict(XpEntry.objects.filter(citizen_id=citizen_id).values_list("key", "kind"))
    assert kinds == {
        "quest-done:1:0": XpKind.MILESTONE,
        "quest-done-reversal:1": XpKind.MILESTONE,
        "quest-on-time:1": XpKind.MILESTONE,
        "share:1:badge:x": XpKind.SHARE,
        "entraide-answer:1": XpKind.ENTRAIDE,
        "revoke:1": XpKind.ENTRAIDE,
        "habit-checkin:1": XpKind.HABIT,
        "quest-step:1:1": XpKind.STEP,
    }
