"""Reads for the taxes integration: the citizen's département and their tax-return deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from civiquest.accounts.models import User
from civiquest.catalogue.selectors import procedure_slug_needing
from civiquest.integrations.taxes import calendar
from civiquest.quests.models import Answer, Quest

# Quest answers that hold the citizen's home address (newest first wins), when no home address is known.
ADDRESS_FIELDS = ("adresse", "nouvelle_adresse")
# The home shows the deadline from this many days before the campaign opens.
SHOW_DAYS_BEFORE_OPENING = 30
DONE_STATES = ("submitted", "in_review", "accepted", "completed")


@dataclass(frozen=True)
class CitizenDeadline:
    deadline: calendar.TaxDeadline
    departement: str | None
    already_declared: bool
    # The procedure that files the return (the one following the tax calendar), if published.
    procedure_slug: str | None


def _departement_of_address(address: Any) -> str | None:
    if isinstance(address, dict):
        found = calendar.departement_of(
            citycode=str(address.get("citycode") or ""), postcode=str(address.get("postcode") or "")
        )
        return found or calendar.departement_of(postcode=calendar.postcode_in(str(address.get("label") or "")))
    if isinstance(address, str):
        return calendar.departement_of(postcode=calendar.postcode_in(address))
    return None


def departement_of_citizen(citizen: User) -> str | None:
    """From the home address of the last declared move, else from the newest address answer of a quest.

    At most two queries. The home address model belongs to the moving-house app: it is looked
    up by name so this keeps working whatever is installed.
    """
    try:
        home_model = apps.get_model("moving", "HomeAddress")
    except LookupError:
        home_model = None
    if home_model is not None:
        address = home_model.objects.filter(citizen=citizen).values_list("address", flat=True).first()
        found = _departement_of_address(address)
        if found:
            return found
    answers = (
        Answer.objects.filter(quest__citizen=citizen, field_name__in=ADDRESS_FIELDS)
        .order_by("-updated_at")
        .values_list("value", flat=True)[:5]
    )
    for value in answers:
        found = _departement_of_address(value)
        if found:
            return found
    return None


def citizen_tax_deadline(citizen: User, *, today: dt.date) -> tuple[calendar.TaxDeadline, str | None] | None:
    """The online deadline of the citizen's zone and their département, from a month before the opening.

    Out of season no query is made (the zone does not matter for that).
    """
    latest = calendar.next_deadline(zone=3, today=today)
    if latest is None or today < latest.campaign.opening - dt.timedelta(days=SHOW_DAYS_BEFORE_OPENING):
        return None
    departement = departement_of_citizen(citizen)
    deadline = calendar.next_deadline(zone=calendar.zone_of(departement), today=today)
    if deadline is None or today < deadline.campaign.opening - dt.timedelta(days=SHOW_DAYS_BEFORE_OPENING):
        return None
    return deadline, departement


def tax_deadline_for(citizen: User, *, today: dt.date) -> CitizenDeadline | None:
    """The citizen's next online deadline, whether they declared already, and the procedure that declares."""
    found = citizen_tax_deadline(citizen, today=today)
    if found is None:
        return None
    deadline, departement = found
    declared = Quest.objects.filter(
        citizen=citizen,
        revision__tax_calendar=True,
        state__in=DONE_STATES,
        submitted_at__date__gte=deadline.campaign.opening,
    ).exists()
    return CitizenDeadline(
        deadline=deadline,
        departement=departement,
        already_declared=declared,
        procedure_slug=procedure_slug_needing(tax_calendar=True),
    )
