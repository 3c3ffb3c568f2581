"""Sign-in with FranceConnect (citizens) and ProConnect (agents), and sign-out through the provider."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civiquest.accounts.access import public
from civiquest.accounts.identity import AgentIdentity, IdentityPivot, InvalidIdentity
from civiquest.accounts.models import ExternalIdentity, User
from civiquest.accounts.oidc import client, session
from civiquest.accounts.oidc.client import FailureKind, OIDCError, VerifiedSignIn
from civiquest.accounts.oidc.providers import (
    FRANCECONNECT,
    FRANCECONNECT_DATA_SCOPES,
    Audience,
    Provider,
    ProviderSpec,
    provider,
)
from civiquest.accounts.services import agent_sign_in, citizen_create, citizen_sign_in

logger = logging.getLogger(__name__)

# The purpose of a pending authorization that re-authenticates a signed-in citizen.
REAUTHENTICATION = "reauthentication"

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The claims of the identité pivot kept in the session while the citizen reads the terms.
PIVOT_CLAIMS = (
    "given_name",
    "family_name",
    "preferred_username",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
)
HOME_BY_AUDIENCE = {Audience.CITIZEN: "citizen:dashboard", Audience.AGENT: "agent:home"}
SIGN_IN_PAGE_BY_AUDIENCE = {Audience.CITIZEN: "oidc:franceconnect", Audience.AGENT: "oidc:proconnect"}
BASE_TEMPLATE_BY_AUDIENCE = {Audience.CITIZEN: "citizen/base.html", Audience.AGENT: "agent/base.html"}


def _error_page(
    request: HttpRequest,
    spec: ProviderSpec,
    *,
    status: int,
    heading: str,
    lead: str,
    explanation: str = "",
    detail: str = "",
) -> HttpResponse:
    """A sign-in that failed: what happened, what to do, and no session opened."""
    context = {
        "title": heading,
        "heading": heading,
        "lead": lead,
        "explanation": explanation,
        "detail": detail[:200],
        "base_template": BASE_TEMPLATE_BY_AUDIENCE[spec.audience],
        "retry_url": reverse(SIGN_IN_PAGE_BY_AUDIENCE[spec.audience]),
    }
    return render(request, "accounts/oidc/error.html", context, status=status)


def _failure_page(request: HttpRequest, spec: ProviderSpec, error: OIDCError) -> HttpResponse:
    logger.warning("Sign-in with %s refused: %s (%s)", spec.slug, error.kind, error.detail)
    if error.kind == FailureKind.UNAVAILABLE:
        return _error_page(
            request,
            spec,
            status=502,
            heading=_("%(provider)s ne répond pas") % {"provider": spec.name},
            lead=_("Le service d’identification n’a pas pu être joint. Aucune session n’a été ouverte."),
            explanation=_("Réessayez dans quelques minutes."),
        )
    return _error_page(
        request,
        spec,
        status=400,
        heading=_("La connexion n’a pas pu être vérifiée"),
        lead=_(
            "La réponse de %(provider)s n’a pas passé nos contrôles de sécurité : "
            "par prudence, aucune session n’a été ouverte."
        )
        % {"provider": spec.name},
        explanation=_("Recommencez la connexion. Si le problème persiste, contactez-nous."),
    )


def _state_page(request: HttpRequest, spec: ProviderSpec) -> HttpResponse:
    logger.warning("Sign-in with %s refused: unknown, used or expired state", spec.slug)
    return _error_page(
        request,
        spec,
        status=400,
        heading=_("Votre demande de connexion a expiré"),
        lead=_(
            "Pour votre sécurité, une demande de connexion ne sert qu’une fois, pendant quelques minutes, "
            "et dans le navigateur qui l’a faite. Aucune session n’a été ouverte."
        ),
        explanation=_("Recommencez la connexion depuis cette page."),
    )


def _provider_refusal_page(request: HttpRequest, spec: ProviderSpec, error: str, description: str) -> HttpResponse:
    logger.info("Sign-in with %s: the provider answered %s", spec.slug, error)
    if error == "access_denied":
        heading = _("Connexion annulée")
        lead = _("La connexion avec %(provider)s a été annulée ou refusée. Aucune session n’a été ouverte.")
    else:
        heading = _("%(provider)s a refusé la connexion")
        lead = _("%(provider)s n’a pas pu vous identifier. Aucune session n’a été ouverte.")
    return _error_page(
        request,
        spec,
        status=400 if error != "access_denied" else 403,
        heading=heading % {"provider": spec.name},
        lead=lead % {"provider": spec.name},
        explanation=_("Vous pouvez recommencer la connexion."),
        detail=f"{error} — {description}" if description else error,
    )


def _invalid_identity_page(request: HttpRequest, spec: ProviderSpec, error: InvalidIdentity) -> HttpResponse:
    logger.warning("Sign-in with %s refused: invalid identity (%s)", spec.slug, error)
    return _error_page(
        request,
        spec,
        status=400,
        heading=_("Votre identité n’a pas pu être reçue"),
        lead=str(error),
        explanation=_("Aucune session n’a été ouverte. Réessayez plus tard ou contactez-nous."),
    )


def _inactive_page(request: HttpRequest, spec: ProviderSpec) -> HttpResponse:
    return _error_page(
        request,
        spec,
        status=403,
        heading=_("Compte désactivé"),
        lead=_("Votre compte CiviQuest est désactivé : la connexion est refusée."),
        explanation=_("Contactez-nous si vous pensez qu’il s’agit d’une erreur."),
    )


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """The page asked for before signing in, if it is a path on this site; else ""."""
    if not value or not value.startswith("/"):
        return ""
    allowed = url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False)
    return value if allowed else ""


def _log_in(request: HttpRequest, user: User, config: Provider, id_token: str, next_url: str = "") -> HttpResponse:
    """Open the session (its key rotates) and keep the id_token for the provider's logout."""
    login(request, user, backend=MODEL_BACKEND)
    session.remember_sign_in(request.session, config.slug, id_token)
    return redirect(next_url or HOME_BY_AUDIENCE[config.spec.audience])


def _sign_in_page(request: HttpRequest, slug: str, template: str, title: str) -> HttpResponse:
    config = provider(slug)
    context = {
        "title": title,
        "available": config.is_configured,
        "start_url": reverse(f"oidc:{slug}-start"),
        "next": _safe_next(request, request.GET.get("next")),
    }
    return render(request, template, context)


@public
@require_GET
def franceconnect_sign_in(request: HttpRequest) -> HttpResponse:
    """Citizens' sign-in page, with the FranceConnect button."""
    return _sign_in_page(request, "franceconnect", "accounts/oidc/franceconnect.html", _("Se connecter"))


@public
@require_GET
def proconnect_sign_in(request: HttpRequest) -> HttpResponse:
    """Agents' sign-in page, with the ProConnect button."""
    return _sign_in_page(request, "proconnect", "accounts/oidc/proconnect.html", _("Connexion des agents"))


@public
@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The button: a fresh state and nonce in this browser's session, then off to the provider."""
    config = provider(slug)
    if request.method != "POST":
        return redirect(SIGN_IN_PAGE_BY_AUDIENCE[config.spec.audience])
    if not config.is_configured:
        return _failure_page(request, config.spec, OIDCError(FailureKind.UNAVAILABLE, "not configured"))
    next_url = _safe_next(request, request.POST.get("next"))
    authorization = session.remember_authorization(request.session, slug, next_url)
    try:
        url = client.authorization_url(config, state=authorization.state, nonce=authorization.nonce)
    except OIDCError as error:
        return _failure_page(request, config.spec, error)
    return HttpResponseRedirect(url)


@public
@never_cache
@require_GET
def callback(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider sends the browser back here with a code, or an error, and our state."""
    config = provider(slug)
    pending = session.consume_authorization(request.session, slug, request.GET.get("state", ""))
    if pending is None:
        return _state_page(request, config.spec)
    if "error" in request.GET:
        return _provider_refusal_page(
            request, config.spec, request.GET["error"][:100], request.GET.get("error_description", "")
        )
    code = request.GET.get("code", "")
    if not code:
        return _failure_page(request, config.spec, OIDCError(FailureKind.INVALID_RESPONSE, "no code"))
    try:
        verified = client.complete_sign_in(config, code=code, nonce=pending.nonce)
    except OIDCError as error:
        return _failure_page(request, config.spec, error)
    if pending.purpose == REAUTHENTICATION:
        return _reauthenticated(request, config, verified, pending)
    if pending.purpose:
        return _data_access_granted(request, config, verified, pending)
    if config.spec.audience == Audience.CITIZEN:
        return _citizen_signed_in(request, config, verified, pending.next_url)
    return _agent_signed_in(request, config, verified, pending.next_url)


def data_access_start(request: HttpRequest, *, purpose: str, next_url: str) -> HttpResponse:
    """Send a signed-in citizen to FranceConnect to agree to share data (``FRANCECONNECT_DATA_SCOPES``).

    FranceConnect then sends them back to ``callback``, which keeps the access token for the
    data provider and returns to ``next_url`` (a local path).
    """
    config = provider(FRANCECONNECT.slug)
    if purpose not in FRANCECONNECT_DATA_SCOPES or not config.is_configured:
        return _failure_page(request, config.spec, OIDCError(FailureKind.UNAVAILABLE, f"data access {purpose!r}"))
    authorization = session.remember_authorization(
        request.session, config.slug, _safe_next(request, next_url), purpose=purpose
    )
    try:
        url = client.authorization_url(
            config,
            state=authorization.state,
            nonce=authorization.nonce,
            extra_scopes=FRANCECONNECT_DATA_SCOPES[purpose],
        )
    except OIDCError as error:
        return _failure_page(request, config.spec, error)
    return HttpResponseRedirect(url)


def reauthentication_start(request: HttpRequest, *, next_url: str) -> HttpResponse:
    """Send a signed-in citizen to FranceConnect to authenticate again (``prompt=login``).

    Before a sensitive action (RGPD export, erasure): the callback checks it is the same
    account and that the authentication is fresh, then opens the action for a few minutes.
    """
    config = provider(FRANCECONNECT.slug)
    if not config.is_configured:
        return _failure_page(request, config.spec, OIDCError(FailureKind.UNAVAILABLE, "not configured"))
    authorization = session.remember_authorization(
        request.session, config.slug, _safe_next(request, next_url), purpose=REAUTHENTICATION
    )
    try:
        url = client.authorization_url(config, state=authorization.state, nonce=authorization.nonce, prompt="login")
    except OIDCError as error:
        return _failure_page(request, config.spec, error)
    return HttpResponseRedirect(url)


def _is_signed_in_person(request: HttpRequest, config: Provider, verified: VerifiedSignIn) -> bool:
    """Whether the account just authenticated at the provider is the one signed in here."""
    user = request.user
    return (
        user.is_authenticated
        and ExternalIdentity.objects.filter(
            user_id=user.pk, provider=config.spec.identity_provider, sub=verified.sub
        ).exists()
    )


def _reauthenticated(
    request: HttpRequest, config: Provider, verified: VerifiedSignIn, pending: session.PendingAuthorization
) -> HttpResponse:
    """Back from FranceConnect: open the sensitive actions if it is the same person, just authenticated."""
    back = pending.next_url or HOME_BY_AUDIENCE[config.spec.audience]
    user = request.user
    if not _is_signed_in_person(request, config, verified):
        logger.info("re-authentication refused: the FranceConnect account is not the signed-in citizen's")
        messages.error(
            request,
            _(
                "Le compte FranceConnect utilisé n’est pas celui de votre espace CiviQuest : "
                "votre identité n’a pas été confirmée."
            ),
        )
        return redirect(back)
    now = time.time()
    if verified.auth_time is None or not 0 <= now - verified.auth_time <= session.RECENT_AUTHENTICATION_SECONDS:
        logger.info("re-authentication refused: FranceConnect did not authenticate the citizen again")
        messages.error(request, _("FranceConnect n’a pas confirmé une authentification récente : recommencez."))
        return redirect(back)
    session.remember_recent_authentication(request.session, user_id=int(str(user.pk)), at=now)
    messages.success(request, _("Votre identité est confirmée pour quelques minutes."))
    return redirect(back)


def _data_access_granted(
    request: HttpRequest, config: Provider, verified: VerifiedSignIn, pending: session.PendingAuthorization
) -> HttpResponse:
    """The citizen agreed at FranceConnect: keep the token, if it is them who is signed in here."""
    back = pending.next_url or HOME_BY_AUDIENCE[config.spec.audience]
    if not _is_signed_in_person(request, config, verified):
        logger.info("data access refused: the FranceConnect account is not the signed-in citizen's")
        messages.error(
            request,
            _(
                "Le compte FranceConnect utilisé n’est pas celui de votre espace CiviQuest : "
                "aucune donnée n’a été demandée."
            ),
        )
        return redirect(back)
    if not verified.access_token:
        return _failure_page(request, config.spec, OIDCError(FailureKind.INVALID_RESPONSE, "no access token"))
    # FranceConnect's access tokens live 60 s: the page that asked uses it at once.
    session.remember_data_access(request.session, pending.purpose, verified.access_token, verified.expires_in or 60)
    return redirect(back)


def _citizen_signed_in(
    request: HttpRequest, config: Provider, verified: VerifiedSignIn, next_url: str
) -> HttpResponse:
    try:
        identity = IdentityPivot.from_claims(verified.claims)
    except InvalidIdentity as error:
        return _invalid_identity_page(request, config.spec, error)
    user = citizen_sign_in(provider=config.spec.identity_provider, sub=verified.sub, identity=identity)
    if user is None:
        claims = {name: verified.claims[name] for name in PIVOT_CLAIMS if name in verified.claims}
        consent = session.PendingConsent(
            provider=config.slug, sub=verified.sub, claims=claims, id_token=verified.id_token, next_url=next_url
        )
        session.remember_consent(request.session, consent)
        return redirect("oidc:consent")
    if not user.is_active:
        return _inactive_page(request, config.spec)
    return _log_in(request, user, config, verified.id_token, next_url)


def _agent_signed_in(request: HttpRequest, config: Provider, verified: VerifiedSignIn, next_url: str) -> HttpResponse:
    try:
        identity = AgentIdentity.from_claims(verified.claims)
    except InvalidIdentity as error:
        return _invalid_identity_page(request, config.spec, error)
    user = agent_sign_in(sub=verified.sub, identity=identity)
    if user is None:
        logger.info("ProConnect sign-in refused: no invitation or agent account for this email")
        context = {"title": _("Accès réservé aux agents invités"), "email": identity.email}
        return render(request, "accounts/oidc/agent_refused.html", context, status=403)
    return _log_in(request, user, config, verified.id_token, next_url)


# A new citizen chooses how their space looks (the game or "mode sobre") before anything else;
# the page asked for before signing in comes after the choice.
FIRST_SIGN_IN_PAGE = "citizen:display-choice"


def _first_sign_in_next(next_url: str) -> str:
    page = reverse(FIRST_SIGN_IN_PAGE)
    return f"{page}?{urlencode({'next': next_url})}" if next_url else page


@public
@never_cache
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    """A citizen's first sign-in: the terms, then their account is created, or nothing is."""
    pending = session.pending_consent(request.session)
    if pending is None:
        if request.user.is_authenticated:
            return redirect("accounts:after-login")
        return redirect("oidc:franceconnect")
    config = provider(pending.provider)
    try:
        identity = IdentityPivot.from_claims(pending.claims)
    except InvalidIdentity as error:
        session.forget_consent(request.session)
        return _invalid_identity_page(request, config.spec, error)
    decision = request.POST.get("decision") if request.method == "POST" else None
    if decision == "accept":
        user = citizen_create(provider=config.spec.identity_provider, sub=pending.sub, identity=identity)
        session.forget_consent(request.session)
        if not user.is_active:
            return _inactive_page(request, config.spec)
        return _log_in(request, user, config, pending.id_token, _first_sign_in_next(pending.next_url))
    if decision == "decline":
        session.forget_consent(request.session)
        messages.info(request, _("Vous avez refusé les conditions : aucun compte n’a été créé."))
        return redirect("citizen:home")
    context: dict[str, Any] = {
        "title": _("Bienvenue sur CiviQuest"),
        "identity": identity,
        "provider_name": config.name,
    }
    return render(request, "accounts/oidc/consent.html", context)


@public
@never_cache
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out here at once, then at the provider when the session came from one.

    The local session is closed first, so that leaving the provider's page (or the provider
    being down) never leaves a session open here; the provider's return is checked against
    the state kept in the new, anonymous session.
    """
    signed_in = session.signed_in_with(request.session)
    auth_logout(request)
    if signed_in is None:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    slug, id_token = signed_in
    config = provider(slug)
    state = session.remember_logout(request.session, slug)
    try:
        url = client.logout_url(config, id_token=id_token, state=state)
    except OIDCError as error:
        logger.warning("Logout at %s skipped: %s (%s)", slug, error.kind, error.detail)
        messages.warning(
            request,
            _("Vous êtes déconnecté de CiviQuest, mais pas de %(provider)s, qui n’a pas pu être joint.")
            % {"provider": config.name},
        )
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return HttpResponseRedirect(url)


@public
@never_cache
@require_GET
def logout_callback(request: HttpRequest) -> HttpResponse:
    """The provider ended its session and sends the browser back with our state."""
    slug = session.consume_logout(request.session, request.GET.get("state", ""))
    if slug is None:
        logger.warning("Logout return refused: unknown, used or expired state")
        still_signed_in = request.user.is_authenticated
        return _error_page(
            request,
            FRANCECONNECT,
            status=400,
            heading=_("La déconnexion n’a pas pu être confirmée"),
            lead=_("Le retour du fournisseur d’identité ne correspond à aucune déconnexion demandée ici."),
            explanation=(
                _("Votre session CiviQuest est toujours ouverte : utilisez le bouton « Se déconnecter ».")
                if still_signed_in
                else _("Vous êtes bien déconnecté de CiviQuest.")
            ),
        )
    request.session.flush()
    messages.success(request, _("Vous êtes déconnecté."))
    return redirect(settings.LOGOUT_REDIRECT_URL)
