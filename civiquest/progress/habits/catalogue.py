"""The catalogue of civic habits: data, versioned with the code.

Each habit has a period (weekly, monthly, quarterly, yearly) and, for some, the real action
that checks it automatically (adding a document to the wallet checks "keep the wallet up to
date"). A citizen adopts habits from this catalogue; codes are stored, so a code is never
renamed or reused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civiquest.core.dates import PARIS

# Periods start and end at midnight in this zone, whatever the server's clock (DESIGN: the
# day boundary is server-side and locked).
HABITS_TIME_ZONE = PARIS


class Period(models.TextChoices):
    WEEKLY = "weekly", _("chaque semaine")
    MONTHLY = "monthly", _("chaque mois")
    QUARTERLY = "quarterly", _("chaque trimestre")
    YEARLY = "yearly", _("chaque année")


class Action:
    """Real actions that check a habit automatically (``services.habit_action_recorded``)."""

    WALLET_DOCUMENT_ADDED = "wallet_document_added"
    QUEST_STEP_DONE = "quest_step_done"
    TAX_ACCOUNT_CHECKED = "tax_account_checked"


@dataclass(frozen=True)
class HabitDefinition:
    code: str
    title: Promise
    description: Promise
    period: Period
    auto_action: str = ""  # the action that checks it by itself, or "" (self-declared only)


CATALOGUE: tuple[HabitDefinition, ...] = (
    HabitDefinition(
        code="admin_mail",
        title=_("Relever mon courrier administratif"),
        description=_("Ouvrir les courriers et courriels des administrations, et noter ce qu’ils demandent."),
        period=Period.WEEKLY,
    ),
    HabitDefinition(
        code="deadlines_review",
        title=_("Passer en revue mes échéances"),
        description=_("Regarder les dates à venir : documents qui expirent, déclarations, rendez-vous."),
        period=Period.MONTHLY,
    ),
    HabitDefinition(
        code="quest_progress",
        title=_("Avancer une démarche en cours"),
        description=_("Faire une étape d’une démarche commencée. Cochée d’elle-même quand vous terminez une étape."),
        period=Period.MONTHLY,
        auto_action=Action.QUEST_STEP_DONE,
    ),
    HabitDefinition(
        code="commune_news",
        title=_("Lire les actualités de ma commune"),
        description=_("Consulter le site ou le bulletin de votre mairie : travaux, élections, services."),
        period=Period.MONTHLY,
    ),
    HabitDefinition(
        code="wallet_up_to_date",
        title=_("Tenir mon porte-documents à jour"),
        description=_(
            "Ajouter les nouveaux justificatifs et remplacer ceux qui expirent. "
            "Cochée d’elle-même quand vous ajoutez un document."
        ),
        period=Period.QUARTERLY,
        auto_action=Action.WALLET_DOCUMENT_ADDED,
    ),
    HabitDefinition(
        code="tax_account",
        title=_("Consulter mon espace fiscal"),
        description=_("Vérifier votre situation, vos avis et vos échéances sur votre espace particulier."),
        period=Period.YEARLY,
        auto_action=Action.TAX_ACCOUNT_CHECKED,
    ),
)

BY_CODE: dict[str, HabitDefinition] = {definition.code: definition for definition in CATALOGUE}
CODE_CHOICES: list[tuple[str, Promise]] = [(definition.code, definition.title) for definition in CATALOGUE]


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date of an aware moment in Europe/Paris."""
    return moment.astimezone(HABITS_TIME_ZONE).date()


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the period holding ``day``: Monday, the 1st, the quarter's first day, 1 January."""
    if period == Period.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if period == Period.MONTHLY:
        return day.replace(day=1)
    if period == Period.QUARTERLY:
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if period == Period.YEARLY:
        return day.replace(month=1, day=1)
    raise ValueError(period)


def next_period_start(period: str, start: dt.date) -> dt.date:
    """The first day of the period after the one starting on ``start``."""
    if period == Period.WEEKLY:
        return start + dt.timedelta(days=7)
    months = {Period.MONTHLY: 1, Period.QUARTERLY: 3, Period.YEARLY: 12}[Period(period)]
    month_index = start.year * 12 + start.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def period_end(period: str, start: dt.date) -> dt.date:
    """The last day of the period starting on ``start``."""
    return next_period_start(period, start) - dt.timedelta(days=1)


def previous_period_start(period: str, start: dt.date) -> dt.date:
    return period_start(period, start - dt.timedelta(days=1))


# Reminders (opt-in) go out when this many days or fewer remain in a period not checked yet.
REMINDER_DAYS_LEFT: dict[str, int] = {
    Period.WEEKLY: 2,
    Period.MONTHLY: 6,
    Period.QUARTERLY: 13,
    Period.YEARLY: 30,
}
