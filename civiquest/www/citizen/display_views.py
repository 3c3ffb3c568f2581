"""How the citizen's space looks: the choice between the game and "mode sobre".

Offered once, after the first FranceConnect sign-in (the consent page sends the new citizen
here), and switched in one click from the header's tools on every citizen page. Both post
here; ``actions.display.display_choose`` records the choice.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.actions.display import DisplayMode, display_choose


def _next_of(request: AuthenticatedHttpRequest, value: str | None) -> str:
    """A local page to go back to (the page the header's switch was on); the dashboard otherwise."""
    target = value or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("citizen:dashboard")


@require_http_methods(["GET", "POST"])
@role_required(Role.CITIZEN)
def display_choice(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the two displays side by side, neither chosen in advance. POST ``mode``: sober, game or skip."""
    source = request.POST if request.method == "POST" else request.GET
    next_url = _next_of(request, source.get("next"))
    error = ""
    if request.method == "POST":
        try:
            mode = DisplayMode(request.POST.get("mode", ""))
        except ValueError:
            error = _("Choisissez un des deux affichages, ou « Décider plus tard ».")
        else:
            preferences = display_choose(citizen=request.user, mode=mode)
            if preferences.sober_mode:
                messages.success(request, _("Affichage sobre : les éléments de jeu sont masqués."))
            else:
                messages.success(request, _("Affichage avec jeu : points, niveaux, badges et avatar sont affichés."))
            return redirect(next_url)
    context = {"title": _("Choisir l’affichage de votre espace"), "next": next_url, "error": error}
    return render(request, "citizen/display/choice.html", context, status=400 if error else 200)
