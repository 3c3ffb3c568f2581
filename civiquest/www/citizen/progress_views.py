"""The citizen's progress page: level and XP bar, ledger history, badge collection."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.progress import selectors
from civiquest.progress.habits.selectors import game_visible_for, habits_of
from civiquest.progress.levels import LEVEL_CAP, LEVEL_CURVE_VERSION, THRESHOLDS, titles_unlocked
from civiquest.progress.xp import daily_cap, level_of, self_declared_daily_cap
from civiquest.www.citizen.habits_views import STATUS_LABELS, avatar_editor_context


@role_required(Role.CITIZEN)
def progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Level, XP and how it was earned, badges (earned, and how to earn the others).

    In "mode sobre" (``game_visible`` false) the template shows none of it, only how to show it again.
    """
    if not game_visible_for(request.user):
        # "Mode sobre": the template shows none of the game, so nothing of it is read.
        return render(request, "citizen/progress/progress.html", {"title": _("Ma progression")})
    level = level_of(request.user)
    page, lines = selectors.ledger_page(citizen=request.user, page=request.GET.get("page"))
    slots = selectors.badge_collection(citizen=request.user)
    return render(
        request,
        "citizen/progress/progress.html",
        {
            "title": _("Ma progression"),
            "level": level,
            "page": page,
            "lines": lines,
            "slots": slots,
            "earned_count": sum(1 for slot in slots if slot.earned),
            "titles": titles_unlocked(level.level),
            "curve": list(enumerate(THRESHOLDS, start=1)),
            "curve_version": LEVEL_CURVE_VERSION,
            "level_cap": LEVEL_CAP,
            "daily_cap": daily_cap(),
            "self_declared_cap": self_declared_daily_cap(),
            # The habits' streaks and the avatar editor, as on their own pages.
            "habit_views": habits_of(citizen=request.user),
            "status_labels": STATUS_LABELS,
            **avatar_editor_context(request.user),
        },
    )
