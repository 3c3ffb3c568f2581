"""Each badge rule, the hooks that evaluate them, their icons, and the idempotent backfill."""

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils import timezone

from civiquest.actions.quests import quest_start
from civiquest.actions.quests import quest_step_complete as step_complete
from civiquest.catalogue.definitions import CATALOGUE
from civiquest.catalogue.models import StepKind
from civiquest.catalogue.services import revision_publish
from civiquest.documents.models import DocumentType
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.progress import badges as badges_module
from civiquest.progress import xp
from civiquest.progress.badges import (
    BADGES,
    ENTRAIDE_BADGE,
    REASON_ENTRAIDE,
    badge_codes_of,
    badges_evaluate,
    tax_return_deadline,
)
from civiquest.progress.models import BadgeAward
from civiquest.progress.services import document_added
from civiquest.quests.models import Quest, QuestState, QuestTransition
from civiquest.quests.services import answers_save
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import DocumentFactory, ProcedureFactory, RevisionFactory, add_steps
from tests.quests.fixtures import step

pytestmark = pytest.mark.django_db


def done_quest(citizen, slug, *, state=QuestState.COMPLETED, codes=(), submitted_at=None, **needs):
    """A decided quest of a procedure ``slug`` whose revision lists ``codes`` (rows only: rules read facts)."""
    from civiquest.catalogue.models import Procedure

    procedure = Procedure.objects.filter(slug=slug).first()
    if procedure is None:
        procedure = ProcedureFactory(slug=slug)
        revision = RevisionFactory(procedure=procedure, badge_codes=list(codes), **needs)
        add_steps(revision, [{"slug": "info", "title": "Info", "kind": StepKind.INFO}])
        revision_publish(procedure=procedure)
    revision = procedure.revisions.get()
    return Quest.objects.create(
        citizen=citizen,
        procedure=procedure,
        revision=revision,
        state=state,
        reference=f"T-{Quest.objects.count() + 1}-{citizen.pk}",
        submitted_at=submitted_at,
        decided_at=timezone.now(),
    )


def test_at_least_fifteen_badges_each_with_a_dsfr_pictogram_and_how_to_earn_it():
    assert len(BADGES) >= 15
    assert len({b.code for b in BADGES}) == len(BADGES)
    for b in BADGES:
        # A pictogram of the DSFR, shipped with django-dsfr (decorative: the badge's name is beside it).
        assert b.icon.startswith("dsfr/dist/artwork/pictograms/"), b.code
        found = finders.find(b.icon)
        assert found is not None, b.code
        assert 'id="artwork-major"' in Path(str(found)).read_text(), b.code
        assert str(b.name) and str(b.description) and str(b.how)


def test_every_catalogue_badge_code_is_a_badge():
    codes = {code for definition in CATALOGUE for code in definition.badge_codes}
    assert codes <= {b.code for b in BADGES}


def test_first_quest_badge_comes_with_the_quest_and_is_notified_once(citizen, moving):
    quest = quest_start(citizen=citizen, procedure=moving)
    step_complete(quest=quest, step=step(quest, "a-savoir"))
    answers_save(quest=quest, step=step(quest, "situation"), data={"nouvelle_commune": "98818"})
    step_complete(quest=quest, step=step(quest, "situation"))
    answers_save(quest=quest, step=step(quest, "teleservice"), data={"teleservice.reference": "12345678"})
    step_complete(quest=quest, step=step(quest, "teleservice"))
    assert "premiere-demarche" in badge_codes_of(citizen)
    notes = Notification.objects.filter(recipient=citizen, kind=NotificationKind.BADGE)
    assert [n.key for n in notes] == [f"badge:{citizen.pk}:premiere-demarche"]
    assert badges_evaluate(citizen=citizen) == []
    assert BadgeAward.objects.filter(citizen=citizen, code="premiere-demarche").count() == 1


def test_five_and_ten_quests(citizen):
    for number in range(4):
        done_quest(citizen, f"d-{number}")
    assert {b.code for b in badges_evaluate(citizen=citizen)} == {"premiere-demarche"}
    done_quest(citizen, "d-4")
    assert "cinq-demarches" in {b.code for b in badges_evaluate(citizen=citizen)}
    for number in range(5, 10):
        done_quest(citizen, f"d-{number}")
    assert "dix-demarches" in {b.code for b in badges_evaluate(citizen=citizen)}


def test_a_rejected_or_open_quest_is_no_milestone(citizen):
    done_quest(citizen, "d-r", state=QuestState.REJECTED)
    done_quest(citizen, "d-s", state=QuestState.SUBMITTED)
    assert badges_evaluate(citizen=citizen) == []


def test_first_time_right_needs_an_acceptance_without_changes_requested(ready_quest, instructor, accept):
    citizen = ready_quest.citizen
    other = done_quest(citizen, "avec-corrections", state=QuestState.ACCEPTED)
    QuestTransition.objects.create(
        quest=other, actor_role="agent", from_state="in_review", to_state="changes_requested"
    )
    assert "sans-correction" not in {b.code for b in badges_evaluate(citizen=citizen)}
    accept(ready_quest, instructor)
    assert "sans-correction" in badge_codes_of(citizen)


def test_wallet_badges(citizen):
    DocumentFactory(owner=citizen, type=DocumentType.PASSPORT, expires_on=dt.date(2020, 1, 1))
    document_added(document=citizen.documents.get())
    assert badge_codes_of(citizen) == {"premier-document"}
    card = DocumentFactory(
        owner=citizen, type=DocumentType.IDENTITY_CARD, expires_on=xp.paris_today() + dt.timedelta(days=400)
    )
    document_added(document=card)
    assert "papiers-en-regle" in badge_codes_of(citizen)
    for _ in range(3):
        document_added(document=DocumentFactory(owner=citizen))
    assert "porte-documents" in badge_codes_of(citizen)


def test_registered_to_vote(citizen):
    done_quest(citizen, "inscription-listes-electorales", state=QuestState.ACCEPTED, codes=("citoyen", "electeur"))
    assert {"electeur", "citoyen"} <= {b.code for b in badges_evaluate(citizen=citizen)}


def test_tax_return_before_the_deadline(citizen, settings):
    # 2026: the tax calendar's last online deadline (zone 3), 4 June.
    assert tax_return_deadline(2026) == dt.date(2026, 6, 4)
    late = dt.datetime(2026, 6, 4, 23, 30, tzinfo=dt.UTC)  # already the 5th in Paris
    done_quest(citizen, "declaration-revenus", submitted_at=late, codes=("contribuable",), tax_calendar=True)
    earned = {b.code for b in badges_evaluate(citizen=citizen)}
    assert "contribuable" in earned and "dans-les-temps" not in earned
    other = CitizenFactory()
    # Whatever its slug: the revision says it follows the tax calendar.
    done_quest(other, "impots-en-ligne", submitted_at=dt.datetime(2026, 6, 4, 20, 0, tzinfo=dt.UTC), tax_calendar=True)
    assert "dans-les-temps" in {b.code for b in badges_evaluate(citizen=other)}


def test_a_year_the_tax_calendar_does_not_know_uses_the_setting(settings):
    settings.PROGRESS_TAX_RETURN_DEADLINE = "05-22"
    assert tax_return_deadline(2040) == dt.date(2040, 5, 22)


def test_moving_house_declared(citizen):
    done_quest(citizen, "changement-adresse", codes=("demenagement",))
    assert "demenagement" in {b.code for b in badges_evaluate(citizen=citizen)}


@pytest.mark.parametrize(
    "code", ["passeport", "carte-identite", "conducteur", "voyageur", "jeune-parent", "etat-civil", "emploi"]
)
def test_procedure_badges_come_from_the_revision(citizen, code):
    done_quest(citizen, f"p-{code}", state=QuestState.ACCEPTED, codes=(code,))
    assert code in {b.code for b in badges_evaluate(citizen=citizen)}


def test_four_week_habit_streak(citizen, monkeypatch):
    monkeypatch.setattr(badges_module, "best_streak_weeks", lambda citizen, **kwargs: 3)
    assert badges_evaluate(citizen=citizen, codes=["habitude-4-semaines"]) == []
    monkeypatch.setattr(badges_module, "best_streak_weeks", lambda citizen, **kwargs: 4)
    assert [b.code for b in badges_evaluate(citizen=citizen, codes=["habitude-4-semaines"])] == ["habitude-4-semaines"]


def test_mutual_aid_badge_waits_for_the_social_app(citizen):
    # No mutual aid yet: the rule exists and holds for nobody.
    assert badges_module.BADGES_BY_CODE["entraide"].rule(badges_module.facts_of(citizen)) is False


def test_level_badges_come_with_the_level(citizen, settings):
    settings.PROGRESS_XP_DAILY_CAP = 10**6
    xp.xp_award(citizen=citizen, amount=800, reason="a", key="lvl5")
    assert "niveau-5" in badge_codes_of(citizen) and "niveau-10" not in badge_codes_of(citizen)
    xp.xp_award(citizen=citizen, amount=1900, reason="b", key="lvl10")
    assert "niveau-10" in badge_codes_of(citizen)


def test_agents_earn_no_badges(instructor):
    assert badges_evaluate(citizen=instructor) == []


def test_backfill_is_idempotent(citizen):
    other = CitizenFactory()
    done_quest(citizen, "inscription-listes-electorales", codes=("citoyen", "electeur"))
    DocumentFactory(owner=other)
    call_command("badges_backfill")
    first = sorted(BadgeAward.objects.values_list("citizen_id", "code", "awarded_at"))
    assert {c for _, c, _ in first} == {"premiere-demarche", "electeur", "citoyen", "premier-document"}
    call_command("badges_backfill")
    assert sorted(BadgeAward.objects.values_list("citizen_id", "code", "awarded_at")) == first


def test_backfill_awards_the_entraide_badge_from_the_ledger(citizen):
    xp.xp_award(citizen=citizen, amount=15, reason=REASON_ENTRAIDE, key="entraide-backfill")
    assert ENTRAIDE_BADGE not in {b.code for b in badges_evaluate(citizen=citizen)}
    call_command("badges_backfill")
    assert BadgeAward.objects.filter(citizen=citizen, code=ENTRAIDE_BADGE).exists()


def test_sober_mode_keeps_badges_and_levels_but_says_nothing(citizen):
    from civiquest.progress.habits.models import GamePreferences

    GamePreferences.objects.update_or_create(citizen=citizen, defaults={"sober_mode": True})
    done_quest(citizen, "d-sober")
    xp.xp_award(citizen=citizen, amount=100, reason="quest.done", key="sober")
    assert "premiere-demarche" in {b.code for b in badges_evaluate(citizen=citizen)}
    assert xp.level_of(citizen).level == 2
    assert not Notification.objects.filter(recipient=citizen).exists()
