"""The citizen's civic habits, avatar editor and game preferences ("mode sobre").

Every action is a plain POST that redirects back (works without JavaScript); with htmx the
same forms post in the background and the view answers with the refreshed page, from which
htmx keeps the part it targets (``hx-select``). Another citizen's habit is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role, User
from civiquest.core.forms import BaseForm
from civiquest.progress.habits import avatar, selectors, services, streaks
from civiquest.progress.habits.catalogue import BY_CODE
from civiquest.progress.unlocks import Unlocks, unlocks_of

STATUS_LABELS = {
    streaks.DONE: gettext_lazy("Fait"),
    streaks.FROZEN: gettext_lazy("Gardée par un joker"),
    streaks.PAUSED: gettext_lazy("En pause"),
    streaks.MISSED: gettext_lazy("Non fait"),
    streaks.PENDING: gettext_lazy("À faire"),
}


class PauseForm(BaseForm):
    until = forms.DateField(
        label=gettext_lazy("Mettre en pause jusqu’au (inclus)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["until"].help_text = _("Format attendu : JJ/MM/AAAA. Au plus %(days)s jours.") % {
            "days": services.PAUSE_MAX_DAYS
        }


def _is_htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _habits_page(
    request: AuthenticatedHttpRequest, *, status: str = "", pause_form: PauseForm | None = None
) -> HttpResponse:
    citizen = request.user
    views = selectors.habits_of(citizen=citizen)
    pause = selectors.current_pause(citizen=citizen)
    preferences = selectors.preferences_of(citizen)
    today = selectors.today_local()
    default_until = today + dt.timedelta(days=14)
    return render(
        request,
        "citizen/habits/habits.html",
        {
            "title": _("Mes habitudes"),
            "habits": views,
            "catalogue": selectors.catalogue_for(citizen=citizen, adopted=views),
            "pause": pause,
            "pause_form": pause_form or PauseForm(initial={"until": default_until}),
            "preferences": preferences,
            "status_labels": STATUS_LABELS,
            "status": status,
            "freeze_every": streaks.FREEZE_EVERY,
            "freeze_cap": streaks.FREEZE_CAP,
            "today": today,
        },
        status=400 if pause_form is not None and pause_form.errors else 200,
    )


def _done(request: AuthenticatedHttpRequest, message: str, *, error: bool = False) -> HttpResponse:
    """After an action: htmx gets the refreshed page with the message inside; a plain POST is redirected."""
    if _is_htmx(request):
        return _habits_page(request, status=message)
    (messages.error if error else messages.success)(request, message)
    return redirect("citizen:habits")


@role_required(Role.CITIZEN)
def habits(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _habits_page(request)


@require_POST
@role_required(Role.CITIZEN)
def habit_adopt(request: AuthenticatedHttpRequest) -> HttpResponse:
    code = request.POST.get("code", "")
    if code not in BY_CODE:
        raise Http404
    habit = services.habit_adopt(citizen=request.user, code=code)
    return _done(request, _("Vous suivez l’habitude « %(title)s ».") % {"title": habit.definition.title})


@require_POST
@role_required(Role.CITIZEN)
def habit_drop(request: AuthenticatedHttpRequest, habit_id: int) -> HttpResponse:
    habit = selectors.habit_of(citizen=request.user, habit_id=habit_id)
    if habit is None:
        raise Http404
    services.habit_drop(habit=habit)
    return _done(
        request,
        _("Vous ne suivez plus l’habitude « %(title)s ». Son historique est gardé si vous la reprenez.")
        % {"title": habit.definition.title},
    )


@require_POST
@role_required(Role.CITIZEN)
def habit_checkin(request: AuthenticatedHttpRequest, habit_id: int) -> HttpResponse:
    habit = selectors.habit_of(citizen=request.user, habit_id=habit_id)
    if habit is None:
        raise Http404
    try:
        result = services.habit_check_in(habit=habit)
    except services.HabitError as error:
        return _done(request, error.message, error=True)
    context = {"title": habit.definition.title}
    if result.created:
        return _done(request, _("« %(title)s » est cochée pour cette période.") % context)
    return _done(request, _("« %(title)s » était déjà cochée pour cette période.") % context)


@require_POST
@role_required(Role.CITIZEN)
def habits_pause(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start (or extend) a pause until a date, or end it with ``action=resume``."""
    if request.POST.get("action") == "resume":
        services.pause_end(citizen=request.user)
        return _done(request, _("La pause est terminée."))
    form = PauseForm(data=request.POST)
    if form.is_valid():
        try:
            pause = services.pause_start(citizen=request.user, until=form.cleaned_data["until"])
        except services.HabitError as error:
            form.add_error("until", error.message)
        else:
            return _done(
                request,
                _("Vos habitudes sont en pause jusqu’au %(date)s inclus.")
                % {"date": pause.ends_on.strftime("%d/%m/%Y")},
            )
    return _habits_page(request, pause_form=form)


@require_POST
@role_required(Role.CITIZEN)
def habits_reminders(request: AuthenticatedHttpRequest) -> HttpResponse:
    enabled = request.POST.get("enabled") == "on"
    services.habit_reminders_set(citizen=request.user, enabled=enabled)
    if enabled:
        return _done(request, _("Les rappels sont activés : un message quand la fin d’une période approche."))
    return _done(request, _("Les rappels sont désactivés."))


# --- Avatar -----------------------------------------------------------------------------------


def _avatar_options(unlocks: Unlocks) -> list[dict[str, Any]]:
    """One group per slot, each option with its label, whether it is unlocked and how to unlock it."""
    groups = []
    for slot in (*avatar.SLOTS, "accent"):
        items = avatar.ACCENTS if slot == "accent" else avatar.PARTS[slot]
        options = []
        for item in items:
            unlock = item.unlock
            open_ = unlock.is_met(level=unlocks.level, badges=unlocks.badges)
            if open_:
                how = ""
            elif unlock.badge:
                how = _("se débloque avec un badge")
            else:
                how = _("se débloque au niveau %(level)s") % {"level": unlock.level}
            options.append({"code": item.code, "label": item.label, "unlocked": open_, "how": how})
        groups.append({"slot": slot, "label": avatar.SLOT_LABELS[slot], "options": options})
    return groups


@role_required(Role.CITIZEN)
def avatar_editor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The avatar and title editor: "Aperçu" re-renders the preview (htmx: on each change), "Enregistrer" saves."""
    citizen = request.user
    preferences = selectors.preferences_of(citizen)
    unlocks = unlocks_of(citizen)
    choice = selectors.avatar_choice_of(preferences)
    title_level = preferences.title_level
    error = ""
    status = 200
    if request.method == "POST":
        posted = {slot: request.POST.get(slot, "") for slot in (*avatar.SLOTS, "accent")}
        raw_title = request.POST.get("title_level", "")
        title_level = int(raw_title) if raw_title.isdigit() else None
        if not avatar.unlocked(posted, level=unlocks.level, badges=unlocks.badges):
            error = _("Cet élément de l’avatar n’est pas encore débloqué : choisissez-en un autre.")
            status = 400
        else:
            choice = posted
            if request.POST.get("action") == "save":
                try:
                    services.avatar_save(citizen=citizen, choice=choice, title_level=title_level)
                except services.HabitError as failure:
                    error, status = failure.message, 400
                else:
                    messages.success(request, _("Votre avatar est enregistré."))
                    return redirect("citizen:avatar")
    context = _avatar_context(choice=choice, unlocks=unlocks, title_level=title_level)
    return render(
        request,
        "citizen/habits/avatar.html",
        {"title": _("Mon avatar"), **context, "error": error, "preferences": preferences},
        status=status,
    )


def _avatar_context(*, choice: dict[str, str], unlocks: Any, title_level: int | None) -> dict[str, Any]:
    return {
        "choice": choice,
        "avatar_svg": avatar.render_svg(choice),
        "avatar_description": avatar.description(choice),
        "groups": _avatar_options(unlocks),
        "unlocks": unlocks,
        "title_level": title_level,
        "displayed_title": unlocks.displayed_title(title_level),
    }


def avatar_editor_context(citizen: User) -> dict[str, Any]:
    """What ``citizen/habits/_avatar_editor.html`` needs, for the citizen's saved avatar."""
    preferences = selectors.preferences_of(citizen)
    unlocks = unlocks_of(citizen)
    return _avatar_context(
        choice=selectors.avatar_choice_of(preferences), unlocks=unlocks, title_level=preferences.title_level
    )


# --- Game preferences ("mode sobre") --------------------------------------------------------


@require_POST
@role_required(Role.CITIZEN)
def game_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Turn "mode sobre" on (``sober_mode=on``) or off, and the game's emails likewise, then go back."""
    enabled = request.POST.get("sober_mode") == "on"
    services.sober_mode_set(citizen=request.user, enabled=enabled)
    services.game_news_by_email_set(citizen=request.user, enabled=request.POST.get("game_news_by_email") == "on")
    if enabled:
        messages.success(request, _("Le mode sobre est activé : les éléments de jeu sont masqués."))
    else:
        messages.success(request, _("Le mode sobre est désactivé : les éléments de jeu sont affichés."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("citizen:profile")
    return redirect(target)
