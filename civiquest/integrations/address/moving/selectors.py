"""Reads of moving house: what a quest asks to declare, a declaration and its statuses, the citizen's address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from civiquest.accounts.models import User
from civiquest.catalogue.cleaning import address_label
from civiquest.catalogue.selectors import procedure_slug_needing
from civiquest.integrations.address.moving.models import HomeAddress, MoveDeclaration, MoveDispatch
from civiquest.integrations.address.moving.organisations import ORGANISATIONS, Organisation
from civiquest.quests.models import Quest

# The quest's inputs the declaration is made of (see catalogue/changement_adresse.py).
ADDRESS_INPUT = "adresse"
DATE_INPUT = "date_demenagement"
ORGANISATIONS_INPUT = "organismes"
DECLARATION_STEP = "declaration"


@dataclass(frozen=True)
class MoveDraft:
    """What the quest's answers say about the move (before it is declared)."""

    address: Any
    moved_on: dt.date | None
    organisations: list[Organisation]

    @property
    def address_label(self) -> str:
        return address_label(self.address)

    @property
    def is_ready(self) -> bool:
        return bool(self.address_label and self.moved_on and self.organisations)


def move_draft(quest: Quest) -> MoveDraft:
    answers = dict(
        quest.answers.filter(field_name__in=(ADDRESS_INPUT, DATE_INPUT, ORGANISATIONS_INPUT)).values_list(
            "field_name", "value"
        )
    )
    moved_on = None
    if isinstance(answers.get(DATE_INPUT), str):
        try:
            moved_on = dt.date.fromisoformat(answers[DATE_INPUT])
        except ValueError:
            moved_on = None
    chosen = answers.get(ORGANISATIONS_INPUT)
    codes = chosen if isinstance(chosen, list) else []
    return MoveDraft(
        address=answers.get(ADDRESS_INPUT),
        moved_on=moved_on,
        organisations=[ORGANISATIONS[code] for code in ORGANISATIONS if code in codes],
    )


def citizen_moving_quest(*, citizen: User, quest_id: int) -> Quest | None:
    return (
        Quest.objects.filter(pk=quest_id, citizen=citizen, revision__address_dispatch=True)
        .select_related("procedure")
        .first()
    )


def latest_moving_quest(citizen: User) -> Quest | None:
    """The citizen's most recent quest that dispatches a new address (where the step's link leads)."""
    return (
        Quest.objects.filter(citizen=citizen, revision__address_dispatch=True).order_by("-created_at", "-pk").first()
    )


def moving_procedure_slug() -> str | None:
    """The published procedure that declares a move to the organisations (set in the builder)."""
    return procedure_slug_needing(address_dispatch=True)


def declaration_of(quest: Quest) -> MoveDeclaration | None:
    return MoveDeclaration.objects.filter(quest=quest).prefetch_related("dispatches").first()


def dispatch_of(*, citizen: User, quest: Quest, organisation: str) -> MoveDispatch | None:
    return (
        MoveDispatch.objects.filter(declaration__quest=quest, declaration__citizen=citizen, organisation=organisation)
        .select_related("declaration")
        .first()
    )


def citizen_declarations(citizen: User) -> list[MoveDeclaration]:
    return list(
        MoveDeclaration.objects.filter(citizen=citizen).order_by("-created_at").prefetch_related("dispatches")[:10]
    )


def home_address_of(citizen: User) -> HomeAddress | None:
    return HomeAddress.objects.filter(citizen=citizen).first()
