"""The moderators' queue and entraide together: confirming an answer rewards its helper once;
approving a new account's answer tells the asker."""

from __future__ import annotations

import pytest

from civiquest.actions.moderation import moderation_decide
from civiquest.notifications.models import Notification, NotificationKind
from civiquest.progress.badges import REASON_ENTRAIDE
from civiquest.progress.models import XpEntry
from civiquest.social.entraide.models import PostStatus
from civiquest.social.moderation.models import DecisionAction, ModerationDecision
from civiquest.social.moderation.services import DecisionRefused, actions_for
from tests.accounts.factories import CitizenFactory, StaffFactory
from tests.social.moderation_factories import a_question, an_answer

pytestmark = pytest.mark.django_db


def test_a_moderator_confirming_an_answer_rewards_the_helper_once():
    asker, helper, moderator = CitizenFactory(), CitizenFactory(), StaffFactory()
    answer = an_answer(helper, question=a_question(asker))
    assert DecisionAction.CONFIRM_HELPFUL in actions_for(answer)

    moderation_decide(moderator=moderator, post=answer, action="confirm_helpful", explanation="Réponse exacte.")
    assert XpEntry.objects.filter(citizen=helper, reason=REASON_ENTRAIDE).values_list("amount", flat=True).get() == 15
    assert ModerationDecision.objects.filter(answer=answer, action=DecisionAction.CONFIRM_HELPFUL).count() == 1
    assert Notification.objects.filter(recipient=helper, kind=NotificationKind.ENTRAIDE).count() == 1

    # Confirmed again: a second decision may be recorded, but the reward stays one.
    moderation_decide(moderator=moderator, post=answer, action="confirm_helpful", explanation="Encore.")
    assert XpEntry.objects.filter(citizen=helper, reason=REASON_ENTRAIDE).count() == 1


def test_only_a_published_answer_can_be_confirmed():
    question = a_question(CitizenFactory())
    assert DecisionAction.CONFIRM_HELPFUL not in actions_for(question)
    hidden = an_answer(CitizenFactory(), question=question, status=PostStatus.HIDDEN)
    with pytest.raises(DecisionRefused):
        moderation_decide(moderator=StaffFactory(), post=hidden, action="confirm_helpful", explanation="Non.")
    assert not XpEntry.objects.filter(reason=REASON_ENTRAIDE).exists()


def test_approving_a_new_accounts_answer_tells_the_asker():
    asker = CitizenFactory()
    answer = an_answer(CitizenFactory(), question=a_question(asker), status=PostStatus.PENDING)
    moderation_decide(moderator=StaffFactory(), post=answer, action="approve", explanation="Bienvenue.")
    told = Notification.objects.get(recipient=asker, kind=NotificationKind.ENTRAIDE)
    assert "Nouvelle réponse" in told.title
