"""Situations for the mandate tests: a citizen with a passport quest (papiers) and a tax quest
(argent), documents of both domains, a helper with a code, structures and their managers."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import pytest
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.accounts.oidc import session as oidc_session
from civiquest.actions.mandates import helper_code_get, mandate_grant, structure_create, structure_member_add
from civiquest.actions.quests import quest_start
from civiquest.catalogue.models import Procedure, Theme
from civiquest.documents.models import Document, DocumentType
from civiquest.quests.models import Quest
from civiquest.social.mandates.models import HelperStructure, Mandate
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, DocumentFactory, published


def reauthenticate(client, user: User) -> None:
    """What a FranceConnect re-authentication leaves in the session (the round trip is tested in a11y)."""
    session = client.session
    oidc_session.remember_recent_authentication(session, user_id=user.pk, at=time.time())
    session.save()


def grant(citizen: User, helper: User, domains=("papiers",), days=1) -> Mandate:
    profile = helper_code_get(user=helper)
    return mandate_grant(citizen=citizen, helper_code=profile.code, domains=list(domains), days=days)


def move_past_expiry(mandate: Mandate) -> None:
    """The clock moved past the mandate's end: its dates, as they will be then, relative to now."""
    shift = mandate.expires_at - timezone.now() + dt.timedelta(seconds=1)
    Mandate.objects.filter(pk=mandate.pk).update(
        created_at=mandate.created_at - shift,
        expires_at=mandate.expires_at - shift,
        confirmed_at=mandate.confirmed_at - shift,
    )


@dataclass
class World:
    citizen: User
    helper: User
    other: User
    passport: Procedure
    taxes: Procedure
    passport_quest: Quest
    tax_quest: Quest
    passport_doc: Document
    tax_doc: Document
    other_doc: Document
    structure: HelperStructure
    manager: User
    other_structure: HelperStructure
    other_manager: User


@pytest.fixture
def world(db, mairie) -> World:
    citizen = CitizenFactory(first_name="Camille", last_name="Durand")
    helper = CitizenFactory(first_name="Hélène", last_name="Aidante")
    other = CitizenFactory()
    passport, _ = published(
        INSTRUCTED_STEPS, service=mairie, slug="passeport-m", title="Passeport", theme=Theme.PAPERS
    )
    taxes, _ = published(
        INSTRUCTED_STEPS, service=mairie, slug="impots-m", title="Impôt sur le revenu", theme=Theme.MONEY
    )
    actor = CitizenFactory()
    structure = structure_create(actor=actor, name="France Services Nord", kind="france_services")
    other_structure = structure_create(actor=actor, name="Association Sud", kind="association")
    manager = CitizenFactory()
    other_manager = CitizenFactory()
    structure_member_add(actor=actor, structure=structure, user=helper, role="helper")
    structure_member_add(actor=actor, structure=structure, user=manager, role="manager")
    structure_member_add(actor=actor, structure=other_structure, user=other_manager, role="manager")
    return World(
        citizen=citizen,
        helper=helper,
        other=other,
        passport=passport,
        taxes=taxes,
        passport_quest=quest_start(citizen=citizen, procedure=passport),
        tax_quest=quest_start(citizen=citizen, procedure=taxes),
        passport_doc=DocumentFactory(owner=citizen, type=DocumentType.PASSPORT, title="Mon passeport"),
        tax_doc=DocumentFactory(owner=citizen, type=DocumentType.TAX_NOTICE, title="Avis 2025"),
        other_doc=DocumentFactory(owner=citizen, type=DocumentType.OTHER, title="Divers"),
        structure=structure,
        manager=manager,
        other_structure=other_structure,
        other_manager=other_manager,
    )
