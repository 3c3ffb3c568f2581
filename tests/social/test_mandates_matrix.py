# ruff: noqa: F811 - the fixtures are imported from tests.social.mandate_setup
"""Every mandate URL, and every quest and document URL a helper can reach, × every situation:
the exact status each one gets, and no document of the citizen in a page it should not see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civiquest.actions.mandates import mandate_revoke
from tests.accounts.factories import AgentFactory, StaffFactory, login_verified
from tests.quests.fixtures import mairie  # noqa: F401
from tests.social.mandate_setup import World, grant, move_past_expiry, world  # noqa: F401

SITUATIONS = [
    "anonymous",
    "citizen",
    "helper",
    "non_helper",
    "expired_helper",
    "revoked_helper",
    "manager",
    "other_manager",
    "agent",
    "staff",
]
CITIZEN_ROLE = {"citizen", "helper", "non_helper", "expired_helper", "revoked_helper", "manager", "other_manager"}


def _citizen_page(**statuses: int) -> dict[str, int]:
    """A citizen-only view: anonymous to sign in, agents and staff 403, citizen accounts 404 unless said."""
    table = {"anonymous": 302, "agent": 403, "staff": 403}
    table.update(dict.fromkeys(CITIZEN_ROLE, 404))
    table.update(statuses)
    return table


OWN_AND_HELPER = _citizen_page(citizen=200, helper=200)
OWN_ONLY = _citizen_page(citizen=200)
EVERY_CITIZEN = _citizen_page(**dict.fromkeys(CITIZEN_ROLE, 200))
STAFF_ONLY = {**dict.fromkeys(CITIZEN_ROLE, 403), "anonymous": 302, "agent": 403, "staff": 200}

# (url name, kwargs built from the world, method, expected by situation)
CASES = [
    ("citizen:quest", lambda w: {"quest_id": w.passport_quest.pk}, "get", OWN_AND_HELPER),
    ("citizen:quest", lambda w: {"quest_id": w.tax_quest.pk}, "get", OWN_ONLY),
    (
        "citizen:quest-step",
        lambda w: {"quest_id": w.passport_quest.pk, "step_slug": "identite"},
        "get",
        OWN_AND_HELPER,
    ),
    ("citizen:quest-step", lambda w: {"quest_id": w.tax_quest.pk, "step_slug": "identite"}, "get", OWN_ONLY),
    (
        "citizen:quest-step",
        lambda w: {"quest_id": w.passport_quest.pk, "step_slug": "identite"},
        "post",
        _citizen_page(citizen=302, helper=302),
    ),
    (
        "citizen:quest-step",
        lambda w: {"quest_id": w.tax_quest.pk, "step_slug": "identite"},
        "post",
        _citizen_page(citizen=302),
    ),
    ("citizen:quest-review", lambda w: {"quest_id": w.passport_quest.pk}, "get", OWN_AND_HELPER),
    ("citizen:quest-review", lambda w: {"quest_id": w.tax_quest.pk}, "get", OWN_ONLY),
    (
        "citizen:quest-submit",
        lambda w: {"quest_id": w.passport_quest.pk},
        "post",
        _citizen_page(citizen=302, helper=302),
    ),
    ("citizen:quest-submit", lambda w: {"quest_id": w.tax_quest.pk}, "post", _citizen_page(citizen=302)),
    # The test procedure does not book through ANTS: the appointment URLs are a 404 to everybody.
    ("citizen:appointment-quest-book", lambda w: {"quest_id": w.passport_quest.pk}, "post", _citizen_page()),
    ("citizen:appointment-quest-cancel", lambda w: {"quest_id": w.passport_quest.pk}, "post", _citizen_page()),
    ("citizen:document-download", lambda w: {"document_id": w.passport_doc.pk}, "get", OWN_ONLY),
    ("citizen:helper-document", lambda w: {"document_id": w.passport_doc.pk}, "get", _citizen_page(helper=200)),
    ("citizen:helper-document", lambda w: {"document_id": w.tax_doc.pk}, "get", _citizen_page()),
    ("citizen:helper-document", lambda w: {"document_id": w.other_doc.pk}, "get", _citizen_page()),
    ("citizen:mandates", lambda w: {}, "get", EVERY_CITIZEN),
    ("citizen:mandate-new", lambda w: {}, "get", EVERY_CITIZEN),
    ("citizen:helper-space", lambda w: {}, "get", EVERY_CITIZEN),
    ("citizen:helper-code", lambda w: {}, "post", _citizen_page(**dict.fromkeys(CITIZEN_ROLE, 302))),
    ("citizen:mandate-journal", lambda w: {"mandate_id": w.mandate.pk}, "get", OWN_ONLY),
    (
        "citizen:mandate-revoke",
        lambda w: {"mandate_id": w.mandate.pk},
        "post",
        _citizen_page(citizen=302, helper=302, expired_helper=302, revoked_helper=302),
    ),
    ("citizen:structure-mandates", lambda w: {"structure_id": w.structure.pk}, "get", _citizen_page(manager=200)),
    (
        "citizen:structure-mandates",
        lambda w: {"structure_id": w.other_structure.pk},
        "get",
        _citizen_page(other_manager=200),
    ),
    ("staff:structures", lambda w: {}, "get", STAFF_ONLY),
    ("staff:structure", lambda w: {"structure_id": w.structure.pk}, "get", STAFF_ONLY),
    ("staff:structure-member-add", lambda w: {"structure_id": w.structure.pk}, "post", {**STAFF_ONLY, "staff": 400}),
]
# What only the citizen and their helper in the domain may read.
SECRETS = ("Mon passeport", "Avis 2025", "Divers")


def _user(situation: str, world: World):
    mandate = grant(world.citizen, world.helper, ["papiers"])
    world.mandate = mandate  # type: ignore[attr-defined]
    if situation == "expired_helper":
        move_past_expiry(mandate)
    if situation == "revoked_helper":
        mandate_revoke(mandate=mandate, by=world.citizen)
    return {
        "anonymous": None,
        "citizen": world.citizen,
        "helper": world.helper,
        "non_helper": world.other,
        "expired_helper": world.helper,
        "revoked_helper": world.helper,
        "manager": world.manager,
        "other_manager": world.other_manager,
        "agent": AgentFactory(),
        "staff": StaffFactory(),
    }[situation]


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize(("index"), range(len(CASES)), ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_each_url_answers_each_situation_exactly(client, world, situation, index):
    url_name, kwargs, method, expected = CASES[index]
    user = _user(situation, world)
    if user is not None:
        login_verified(client, user)
    url = reverse(url_name, kwargs=kwargs(world))
    response = getattr(client, method)(url)
    assert response.status_code == expected[situation], f"{method.upper()} {url} as {situation}"
    if response.status_code == 200 and not response.streaming:
        body = response.content.decode()
        visible = set()
        if situation == "citizen":
            visible = set(SECRETS)
        elif situation == "helper":
            visible = {"Mon passeport"}
        leaked = [secret for secret in SECRETS if secret in body and secret not in visible]
        assert leaked == [], f"{url} as {situation} shows {leaked}"
