"""The citizen's reports and the decisions about their posts are in their data export, and go at erasure."""

from __future__ import annotations

import pytest

from civiquest.actions.moderation import moderation_decide, post_report
from civiquest.privacy.selectors import citizen_data
from civiquest.privacy.services import citizen_erase
from civiquest.social.moderation.models import DecisionAction, ModerationDecision, PostingSuspension, Report
from tests.accounts.factories import CitizenFactory, StaffFactory
from tests.social.moderation_factories import a_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderated_citizen():
    citizen = CitizenFactory()
    post_report(reporter=citizen, post=a_question(CitizenFactory()), reason="spam", comment="Publicité Zorglub")
    own = a_question(citizen)
    moderation_decide(
        moderator=StaffFactory(), post=own, action=DecisionAction.SUSPEND, explanation="Publicité répétée.", days=7
    )
    return citizen


def test_the_export_holds_reports_decisions_and_suspensions(moderated_citizen):
    data = citizen_data(moderated_citizen)["entraide_moderation"]
    assert [(row["reason"], row["comment"]) for row in data["reports"]] == [("spam", "Publicité Zorglub")]
    assert [(row["action"], row["explanation"]) for row in data["decisions"]] == [("suspend", "Publicité répétée.")]
    assert len(data["suspensions"]) == 1
    assert citizen_data(CitizenFactory())["entraide_moderation"] == {"reports": [], "decisions": [], "suspensions": []}


def test_erasure_deletes_reports_and_suspensions_and_unlinks_decisions(moderated_citizen):
    citizen_erase(citizen=moderated_citizen)
    assert Report.objects.filter(comment__contains="Zorglub").count() == 0
    assert PostingSuspension.objects.count() == 0
    decision = ModerationDecision.objects.get()
    assert decision.author is None and decision.action == DecisionAction.SUSPEND
