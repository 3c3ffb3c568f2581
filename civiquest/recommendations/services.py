"""The citizen's writes about recommendations: life events, answers to a proposal, the similar switch.

Called by the use cases (``civiquest.actions.recommendations``), which audit them.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.catalogue.models import LifeEventCode, Procedure
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic
from civiquest.recommendations.models import Feedback, FeedbackKind, LifeEvent, Preferences
from civiquest.recommendations.offsets import add_months

# A declared event may be this far in the past or the future.
EVENT_YEARS_BACK = 5
EVENT_YEARS_AHEAD = 2
SNOOZE_DAYS = 7
SNOOZE_DAYS_MAX = 90


class LifeEventInvalid(ProcedureError):
    pass


def _check_date(day: dt.date, today: dt.date) -> None:
    if day < add_months(today, -12 * EVENT_YEARS_BACK):
        raise LifeEventInvalid(_("Cette date est trop ancienne : indiquez un événement des 5 dernières années."))
    if day > add_months(today, 12 * EVENT_YEARS_AHEAD):
        raise LifeEventInvalid(_("Cette date est trop lointaine : indiquez un événement prévu dans les 2 ans."))


@atomic
def life_event_declare(*, citizen: User, code: str, occurred_on: dt.date, today: dt.date) -> tuple[LifeEvent, bool]:
    """Record the event (the same one twice is kept once); returns it and whether it is new."""
    if code not in LifeEventCode.values:
        raise LifeEventInvalid(_("Cet événement de vie n’existe pas."))
    _check_date(occurred_on, today)
    return LifeEvent.objects.get_or_create(citizen=citizen, code=code, occurred_on=occurred_on)


@atomic
def life_event_remove(*, citizen: User, event_id: int) -> LifeEvent | None:
    """Remove one of the citizen's events; another's, or one already removed, is None."""
    event = LifeEvent.objects.filter(citizen=citizen, pk=event_id).first()
    if event is not None:
        event.delete()
    return event


@atomic
def feedback_give(
    *, citizen: User, procedure: Procedure, kind: FeedbackKind, today: dt.date, days: int = SNOOZE_DAYS
) -> Feedback:
    """The citizen's answer to a proposed procedure: the last answer replaces the previous one."""
    until = today + dt.timedelta(days=max(1, min(days, SNOOZE_DAYS_MAX))) if kind == FeedbackKind.SNOOZED else None
    feedback, _new = Feedback.objects.update_or_create(
        citizen=citizen, procedure=procedure, defaults={"kind": kind, "until": until, "given_on": today}
    )
    return feedback


@atomic
def feedback_withdraw(*, citizen: User, procedure: Procedure) -> bool:
    """Propose the procedure again (undo a dismissal, a snooze or "déjà fait")."""
    deleted, _per_model = Feedback.objects.filter(citizen=citizen, procedure=procedure).delete()
    return bool(deleted)


@atomic
def similar_switch(*, citizen: User, use_similar: bool) -> Preferences:
    preferences, _new = Preferences.objects.update_or_create(citizen=citizen, defaults={"use_similar": use_similar})
    return preferences
