"""The citizen home: what to do next (quests, deadlines, habits), then the game, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from civiquest.accounts.models import User
from civiquest.catalogue.cache import catalogue_version
from civiquest.core.citizen_cache import cached_citizen_read
from civiquest.documents.expiry import ExpiringTitle, add_years, expiring_titles
from civiquest.integrations.taxes.selectors import tax_deadline_for
from civiquest.progress.habits import avatar
from civiquest.progress.habits.selectors import (
    GAME_VISIBLE_ATTRIBUTE,
    HabitView,
    avatar_choice_of,
    due_soon,
    habits_of,
    preferences_of,
    today_local,
)
from civiquest.progress.selectors import ledger_of, reason_label
from civiquest.progress.unlocks import unlocks_of
from civiquest.quests.attachments import documents_of
from civiquest.quests.journey import with_journeys
from civiquest.quests.models import QuestState
from civiquest.quests.selectors import quests_of
from civiquest.www.citizen.appointment_pages import upcoming_of

HOME_QUESTS = 5
HOME_REWARDS = 5
OPEN = (QuestState.DRAFT, QuestState.CHANGES_REQUESTED, QuestState.SUBMITTED, QuestState.IN_REVIEW)


@dataclass
class Deadline:
    """Something with a date the citizen should see coming (a document expiring, a tax return…)."""

    label: str
    due_on: dt.date
    url: str
    expired: bool = False
    # "expiry": something runs out on that date; "due": something must be done before it.
    kind: str = "expiry"


def tax_deadline_of(citizen: User, *, today: dt.date) -> Deadline | None:
    """The online tax-return deadline of the citizen's zone (taxes integration).

    None outside the campaign season, or once this spring's return is declared in a quest.
    The zone comes from the citizen's home address (zone 1's date, the earliest, when unknown).
    """
    found = tax_deadline_for(citizen, today=today)
    if found is None or found.already_declared:
        return None
    deadline = found.deadline
    if deadline.zone is None:
        label = gettext("Déclaration des revenus %(year)s en ligne (date de la zone 1, la plus proche)") % {
            "year": deadline.campaign.income_year
        }
    else:
        label = gettext("Déclaration des revenus %(year)s en ligne (zone %(zone)s)") % {
            "year": deadline.campaign.income_year,
            "zone": deadline.zone,
        }
    # The procedure that follows the tax calendar; without one published, the catalogue.
    url = (
        reverse("citizen:procedure", args=[found.procedure_slug])
        if found.procedure_slug
        else reverse("citizen:catalogue")
    )
    return Deadline(label=label, due_on=deadline.due_on, url=url, kind="due")


# Quest states in which the renewal of an expiring title is under way (the citizen's or the service's turn).
RENEWAL_TO_DO = (QuestState.DRAFT, QuestState.CHANGES_REQUESTED)
RENEWAL_DONE = (QuestState.ACCEPTED, QuestState.COMPLETED)


@dataclass
class TitleNotice:
    """A passport or identity card expiring, and the quest renewing it if there is one.

    With a quest in progress the notice stops asking to start the renewal: it says where the
    renewal stands (to finish, or deposited and with the service) and links to the quest.
    """

    title: ExpiringTitle
    quest: Any = None

    @property
    def renewal(self) -> str:
        """ "": none started; "to_do": the citizen's turn; "submitted": with the service."""
        if self.quest is None:
            return ""
        return "to_do" if self.quest.state in RENEWAL_TO_DO else "submitted"


def title_notices_of(titles: list[ExpiringTitle], quests: list[Any]) -> list[TitleNotice]:
    """Pair each expiring title with the quest renewing it (read with the citizen's quests: no query).

    A title renewed by a quest decided (accepted, completed) since it was issued a year before its
    expiry is left out: the new title replaces it even before it reaches the wallet.
    """
    notices = []
    for title in titles:
        renewing = [quest for quest in quests if quest.issued_title and quest.issued_title == title.document.type]
        renewed = any(
            quest.state in RENEWAL_DONE and timezone.localdate(quest.created_at) >= add_years(title.expires_on, -1)
            for quest in renewing
        )
        if renewed:
            continue
        ongoing = next((quest for quest in renewing if quest.state in OPEN), None)
        notices.append(TitleNotice(title=title, quest=ongoing))
    return notices


@dataclass
class Home:
    quests: list[Any]  # ongoing quests (to do, then in progress), each with ``current_step``
    deadlines: list[Deadline]
    habits_due: list[HabitView]
    rewards: list[Any]  # latest XP ledger lines (empty in mode sobre or before the XP app)
    game_visible: bool
    avatar_svg: str = ""
    displayed_title: str = ""
    level: Any = None
    appointments: list[Any] = field(default_factory=list)  # upcoming ones (``appointment_pages.Upcoming``)
    title_notices: list[TitleNotice] = field(default_factory=list)  # expiring passport or identity card
    display_chosen: bool = True  # False until the citizen chose between the game and "mode sobre"


def home_of(*, citizen: User, now: dt.datetime | None = None) -> Home:
    """Everything the citizen home shows, in a bounded number of queries whatever the history.

    Read from the cache while the citizen's data, the catalogue and the day are unchanged
    (``core.citizen_cache``): every sign-in lands here. Upcoming appointments are read each time,
    since one drops off the list when its hour passes.
    """
    now = now or timezone.now()
    today = today_local(now)
    home = cached_citizen_read(
        "home",
        citizen.pk,
        lambda: home_data_of(citizen=citizen, now=now, today=today),
        variant=f"{today.isoformat()}:{catalogue_version()}",
    )
    setattr(citizen, GAME_VISIBLE_ATTRIBUTE, home.game_visible)  # the layout's ``game_visible`` then costs nothing
    return replace(home, appointments=upcoming_of(citizen))


def home_data_of(*, citizen: User, now: dt.datetime, today: dt.date) -> Home:
    """What ``home_of`` caches: all of the home but the upcoming appointments."""
    groups = {group.key: group.quests for group in quests_of(citizen=citizen)}
    open_quests = [*groups.get("to_do", []), *groups.get("in_progress", [])]
    ongoing = open_quests[:HOME_QUESTS]
    with_journeys(ongoing)  # "Étape 2 sur 6 : …", counted as on the quest's own pages
    notices = title_notices_of(expiring_titles(owner=citizen, today=today), [*open_quests, *groups.get("done", [])])

    deadlines = [
        Deadline(
            label=entry.document.title,
            due_on=entry.document.expires_on,
            url=reverse("citizen:documents"),
            expired=entry.is_expired,
        )
        for entry in documents_of(owner=citizen, today=today)
        if entry.document.expires_on is not None and (entry.is_expired or entry.expires_soon)
    ]
    tax = tax_deadline_of(citizen, today=today)
    if tax is not None:
        deadlines.append(tax)
    deadlines.sort(key=lambda deadline: deadline.due_on)

    views = habits_of(citizen=citizen, now=now)
    preferences = preferences_of(citizen)
    visible = not preferences.sober_mode
    home = Home(
        quests=ongoing,
        deadlines=deadlines,
        habits_due=due_soon(views, today=today),
        rewards=[],
        game_visible=visible,
        display_chosen=preferences.chosen_at is not None,
        title_notices=notices,
    )
    if not visible:
        return home
    unlocks = unlocks_of(citizen)
    home.avatar_svg = avatar.render_svg(avatar_choice_of(preferences), size=96)
    home.displayed_title = unlocks.displayed_title(preferences.title_level)
    home.level = unlocks.info
    home.rewards = [
        {"entry": entry, "label": reason_label(entry.reason)} for entry in ledger_of(citizen)[:HOME_REWARDS]
    ]
    return home
