# ruff: noqa: F811 - the fixtures are imported from tests.social.mandate_setup
"""Mandates in the RGPD rights: the export holds them, the erasure deletes what the citizen gave
and revokes what they held, with their helper code and memberships."""

from __future__ import annotations

from civiquest.privacy.selectors import citizen_data
from civiquest.privacy.services import citizen_erase
from civiquest.social.mandates.models import HelperProfile, Mandate, MandateJournalEntry, StructureMember
from civiquest.social.mandates.selectors import helper_quest
from tests.quests.fixtures import mairie  # noqa: F401
from tests.social.mandate_setup import grant, world  # noqa: F401


def test_the_export_holds_the_mandates_given_held_and_the_helper_code(world):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    given = citizen_data(world.citizen)["mandates_given"]
    assert [row["id"] for row in given] == [mandate.pk]
    assert given[0]["journal"][0]["action"] == "granted"
    held = citizen_data(world.helper)
    assert [row["id"] for row in held["mandates_held"]] == [mandate.pk]
    assert held["helper_profile"][0]["code"] == HelperProfile.objects.get(user=world.helper).code
    assert len(held["helper_structures"]) == 1


def test_erasing_the_citizen_deletes_their_mandates_and_journal(world):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    citizen_erase(citizen=world.citizen)
    assert not Mandate.objects.filter(pk=mandate.pk).exists()
    assert not MandateJournalEntry.objects.filter(mandate_id=mandate.pk).exists()


def test_erasing_the_helper_revokes_what_they_held_and_deletes_their_code_and_memberships(world):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    helper_id = world.helper.pk
    citizen_erase(citizen=world.helper)
    mandate.refresh_from_db()
    assert mandate.helper_id is None and mandate.revoked_at is not None
    assert MandateJournalEntry.objects.filter(mandate=mandate).exists()  # the citizen keeps the journal
    assert not HelperProfile.objects.filter(user_id=helper_id).exists()
    assert not StructureMember.objects.filter(user_id=helper_id).exists()
    assert helper_quest(quest_id=world.passport_quest.pk, helper=world.other) is None
