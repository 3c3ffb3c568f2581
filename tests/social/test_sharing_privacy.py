"""Share links and circles in the citizen's export and at the erasure of their account."""

from __future__ import annotations

import pytest

from civiquest.actions import sharing as actions
from civiquest.privacy import selectors
from civiquest.privacy.services import citizen_erase
from civiquest.social.services import pseudonym_choose
from civiquest.social.sharing.models import Circle, CircleMembership, ShareLink
from tests.accounts.factories import CitizenFactory
from tests.instruction.helpers import submitted_quest

pytestmark = pytest.mark.django_db


@pytest.fixture
def sharer(passport):
    user = CitizenFactory(first_name="Wéa", last_name="Zorglubien")
    pseudonym_choose(user=user, pseudonym="Zebulon")
    kept = submitted_quest(passport, citizen=user)  # kept under a pseudonym at erasure
    actions.share_create(citizen=user, kind="checklist", quest_id=kept.pk, include_ticks=True)
    actions.share_create(citizen=user, kind="level", show_pseudonym=True)
    actions.circle_create(citizen=user, name="Cercle Zorglubien", kind="family")
    friend = CitizenFactory()
    pseudonym_choose(user=friend, pseudonym="Pinson")
    theirs = actions.circle_create(citizen=friend, name="Amis", kind="friends")
    invitation = actions.circle_invite(citizen=friend, circle=theirs)
    actions.circle_join(citizen=user, token=invitation.token)
    return user, friend, theirs


def test_the_export_holds_the_links_and_the_circles(sharer):
    user, _friend, _theirs = sharer
    data = selectors.citizen_data(user)
    assert sorted(row["kind"] for row in data["shares"]) == ["checklist", "level"]
    assert all("token" not in row for row in data["shares"])
    assert sorted(row["circle"] for row in data["circles"]) == ["Amis", "Cercle Zorglubien"]


def test_erasure_deletes_links_circles_and_memberships_of_others_circles(sharer):
    user, friend, theirs = sharer
    user_id = user.pk
    citizen_erase(citizen=user)

    assert not ShareLink.objects.filter(owner_id=user_id).exists()
    assert not Circle.objects.filter(name="Cercle Zorglubien").exists()
    assert not CircleMembership.objects.filter(member_id=user_id).exists()
    # The friend's circle stays, with the friend alone.
    assert list(CircleMembership.objects.filter(circle=theirs).values_list("member_id", flat=True)) == [friend.pk]
