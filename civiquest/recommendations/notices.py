"""Reminders before a recommendation's deadline: 7 days before, then the day before (Celery beat, daily).

Each reminder is one notification per (citizen, rule, event, deadline, notice): a task that runs
twice, or late, never tells twice; an action done (or dismissed) is no longer ranked, so it is
never reminded. A late run still sends the most urgent reminder due, never one for a past deadline.
Only citizens who may have a deadline within the week are looked at (``_candidates``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civiquest.accounts.models import Role, User
from civiquest.documents.models import Document
from civiquest.integrations.taxes import calendar
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.quests.models import Quest
from civiquest.recommendations.engine import Recommendation
from civiquest.recommendations.models import LifeEvent
from civiquest.recommendations.offsets import add_months
from civiquest.recommendations.rules import TITLES
from civiquest.recommendations.selectors import DONE_STATES, recommendations_for

# (notice, days before the deadline), the most urgent first.
NOTICES: tuple[tuple[str, int], ...] = (("j-1", 1), ("j-7", 7))
# Declared events whose rules can have a deadline this week: within these bounds of today.
EVENT_MONTHS_AROUND = 13
# How long the titles are valid (documents.expiry): a computed expiry is the issue date plus one of these.
VALIDITY_YEARS = (5, 10, 15)


def notice_due(deadline: dt.date | None, today: dt.date) -> str | None:
    if deadline is None or deadline < today:
        return None
    for name, days in NOTICES:
        if (deadline - today).days <= days:
            return name
    return None


def _candidates(today: dt.date) -> list[User]:
    """Citizens with an event, a birthday at 16, a title expiring or a tax deadline near enough."""
    around = dt.timedelta(days=31 * EVENT_MONTHS_AROUND)
    week = today + dt.timedelta(days=NOTICES[-1][1])
    with_events = LifeEvent.objects.filter(occurred_on__range=(today - around, today + around)).values("citizen_id")
    sixteen = Q(birthdate__range=(add_months(today, -12 * 17), add_months(today, -12 * 15)))
    near = Q(pk__in=with_events) | _titles_expiring(today, week) | sixteen
    tax = calendar.next_deadline(zone=1, today=today)
    if tax is not None and tax.campaign.opening <= week and today <= tax.campaign.last_deadline:
        near = Q()  # the tax return is due for every adult this week
    return list(User.objects.filter(near, role=Role.CITIZEN, is_active=True).order_by("pk"))


def _titles_expiring(today: dt.date, week: dt.date) -> Q:
    """Owners of a title whose expiry (a title's deadline) falls this week: stored, or computed from
    the issue date (5, 10 or 15 years), or issued by a quest decided then."""
    issued = Q()
    decided = Q()
    for years in VALIDITY_YEARS:
        start, end = add_months(today, -12 * years), add_months(week, -12 * years) + dt.timedelta(days=1)
        issued |= Q(expires_on__isnull=True, issued_on__range=(start, end))
        decided |= Q(decided_at__date__range=(start, end))
    documents = Document.objects.filter(Q(expires_on__range=(today, week)) | issued, type__in=TITLES)
    quests = Quest.objects.filter(decided, state__in=DONE_STATES).exclude(revision__issued_title="")
    return Q(pk__in=documents.values("owner_id")) | Q(pk__in=quests.values("citizen_id"))


def _tell(citizen: User, item: Recommendation, deadline: dt.date, notice: str) -> None:
    context = {"title": item.procedure_title, "date": date_format(deadline, "j F Y")}
    title = (
        _("Demain, dernier jour : %(title)s") if notice == "j-1" else _("À faire avant le %(date)s : %(title)s")
    ) % context
    event_day = item.event.on.isoformat() if item.event is not None else ""
    notify(
        recipient=citizen,
        kind=NotificationKind.RECOMMENDATION,
        key=f"reco:{citizen.pk}:{item.rule_code}:{event_day}:{deadline.isoformat()}:{notice}"[:120],
        title=title[:200],
        body=f"{item.reason}. {item.note}",
        url=reverse("citizen:procedure", args=[item.procedure_slug]),
    )


def deadlines_notify(*, today: dt.date) -> int:
    """Send the reminders due today; returns how many were due (already sent ones included)."""
    due = 0
    with translation.override(settings.LANGUAGE_CODE):
        for citizen in _candidates(today):
            ranked = recommendations_for(citizen, today=today)
            for item in (*ranked.items, *ranked.resume):
                notice = notice_due(item.deadline, today)
                if notice is not None and item.deadline is not None and item.rule_code:
                    _tell(citizen, item, item.deadline, notice)
                    due += 1
    return due
