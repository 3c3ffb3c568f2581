"""The agent's tokens for the services' API (``/agent/api/``): list, make (the secret shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts import api_tokens
from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.accounts.selectors import memberships_of
from civiquest.actions.api_tokens import api_token_create, api_token_revoke
from civiquest.www.agent.api_token_forms import ApiTokenForm


@role_required(Role.AGENT)
def api_tokens_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "agent/api_tokens/list.html",
        {"title": _("Jetons d’API"), "tokens": api_tokens.tokens_of(agent=request.user)},
    )


@role_required(Role.AGENT)
def api_token_detail(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    """One of the agent's tokens and its latest calls (each call made with it is logged)."""
    token = api_tokens.token_of(agent=request.user, token_id=token_id)
    if token is None:
        raise Http404
    return render(
        request,
        "agent/api_tokens/detail.html",
        {
            "title": _("Jeton « %(name)s »") % {"name": token.name},
            "token": token,
            "uses": api_tokens.token_uses(token=token),
        },
    )


@role_required(Role.AGENT)
def api_token_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    services = [membership.service for membership in memberships_of(request.user)]
    form = ApiTokenForm(request.POST or None, services=services)
    title = _("Nouveau jeton d’API")
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(
                agent=request.user,
                name=form.cleaned_data["name"],
                service_ids=form.cleaned_data["services"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except api_tokens.ApiTokenRefused as error:
            form.add_error(None, error.message)
        else:
            # The one time the secret is shown: never cached, never shown again.
            response = render(
                request,
                "agent/api_tokens/created.html",
                {"title": _("Jeton d’API créé"), "token": token, "secret": secret},
            )
            response["Cache-Control"] = "no-store"
            return response
    if form.errors:
        title = _("Erreur : %(title)s") % {"title": title}
    status = 400 if form.errors else 200
    return render(
        request, "agent/api_tokens/new.html", {"title": title, "form": form, "services": services}, status=status
    )


@require_POST
@role_required(Role.AGENT)
def api_token_revoke_view(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    try:
        token = api_token_revoke(agent=request.user, token_id=token_id)
    except api_tokens.ApiTokenNotFound as error:
        raise Http404 from error
    messages.success(
        request, _("Le jeton « %(name)s » est révoqué : il ne donne plus accès à rien.") % {"name": token.name}
    )
    return redirect("agent:api-tokens")
