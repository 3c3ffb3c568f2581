"""The agent's notification centre: deadline warnings and the quests new for them; the daily digest."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.instruction import agent_digest_set
from civiquest.instruction.digest import digest_wanted
from civiquest.www.notification_centre import notification_centre


@role_required(Role.AGENT)
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    return notification_centre(
        request,
        template="agent/notifications.html",
        include_game=False,
        context={"title": _("Notifications"), "digest_wanted": digest_wanted(agent_id=request.user.pk)},
    )


@require_POST
@role_required(Role.AGENT)
def notifications_digest(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agent asks for the daily e-mail of the quests new for them, or stops it."""
    wanted = request.POST.get("resume") == "1"
    agent_digest_set(agent=request.user, wanted=wanted)
    messages.success(
        request,
        _("Vous recevrez chaque matin un résumé des dossiers nouveaux.")
        if wanted
        else _("Vous ne recevrez plus le résumé quotidien."),
    )
    return redirect("agent:notifications")
