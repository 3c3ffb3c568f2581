"""The sandbox OpenID providers' endpoints under ``/sandbox/<provider>/api/v2/``, laid out as FranceConnect v2's."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from civiquest.accounts.access import public
from civiquest.sandbox import keys, services
from civiquest.sandbox.providers import PROVIDERS, Identity, SandboxProvider

USER_ABORTED = "User auth aborted"


def _provider(slug: str) -> SandboxProvider:
    try:
        return PROVIDERS[slug]
    except KeyError as error:
        raise Http404 from error


def issuer(request: HttpRequest, provider: SandboxProvider) -> str:
    """The provider's issuer, on the host the request came to (``…/sandbox/<slug>/api/v2``)."""
    return request.build_absolute_uri(reverse(f"sandbox:{provider.slug}-jwks")).removesuffix("/jwks")


def _with_params(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *((k, v) for k, v in params.items() if v)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _redirect_error(redirect_uri: str, state: str, error: str, description: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(
        _with_params(redirect_uri, {"error": error, "error_description": description, "state": state})
    )


def _error_page(request: HttpRequest, provider: SandboxProvider, error: str, description: str) -> HttpResponse:
    context = {
        "title": _("Requête refusée par le bac à sable %(provider)s") % {"provider": provider.name},
        "provider_name": provider.name,
        "error": error,
        "description": description,
    }
    return render(request, "sandbox/error.html", context, status=400)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@public
@require_GET
def discovery(request: HttpRequest, slug: str) -> JsonResponse:
    provider = _provider(slug)
    base = issuer(request, provider)
    return JsonResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/session/end",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "scopes_supported": sorted(provider.scopes),
            "claims_supported": sorted({"sub", *(c for claims in provider.scopes.values() for c in claims)}),
            "acr_values_supported": list(provider.acr_values),
            "id_token_signing_alg_values_supported": list(keys.ALGORITHMS),
            "userinfo_signing_alg_values_supported": list(keys.ALGORITHMS),
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "claims_parameter_supported": True,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
        }
    )


@public
@require_GET
def jwks(request: HttpRequest, slug: str) -> JsonResponse:
    provider = _provider(slug)
    # The registered client's key exists before the first token is signed.
    keys.active_key(provider.slug, keys.configured_algorithm(provider.slug))
    response = JsonResponse(keys.public_key_set(provider.slug))
    response["Cache-Control"] = "no-cache"
    return response


def _identity_details(provider: SandboxProvider, identity: Identity) -> list[tuple[str, str]]:
    claims = identity.claims
    if provider.slug == "proconnect":
        return [(_("Adresse électronique"), claims["email"]), (_("SIRET"), claims["siret"])]
    details = [
        (_("Date de naissance"), claims["birthdate"]),
        (_("Sexe"), claims["gender"]),
        (_("Commune de naissance (INSEE)"), claims["birthplace"] or _("aucune (né à l’étranger)")),
        (_("Pays de naissance (INSEE)"), claims["birthcountry"]),
    ]
    if claims.get("preferred_username"):
        details.insert(0, (_("Nom d’usage"), claims["preferred_username"]))
    return details


@public
@never_cache
@require_GET
def authorize(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    try:
        authorization = services.check_authorization(provider, dict(request.GET.lists()))
    except services.RequestRejected as rejected:
        return _error_page(request, provider, rejected.error, rejected.description)
    except services.RedirectError as refused:
        return _redirect_error(refused.redirect_uri, refused.state, refused.error, refused.description)
    identities = [
        {"identity": identity, "details": _identity_details(provider, identity)} for identity in provider.identities()
    ]
    context = {
        "title": _("Connexion au bac à sable %(provider)s") % {"provider": provider.name},
        "provider_name": provider.name,
        "client_id": authorization.client_id,
        "scopes": authorization.scope.split(),
        "signed_request": authorization.sign(),
        "login_url": reverse(f"sandbox:{provider.slug}-login"),
        "identities": identities,
    }
    return render(request, "sandbox/sign_in.html", context)


@public
@never_cache
@require_POST
def login(request: HttpRequest, slug: str) -> HttpResponse:
    """The person picked a test identity (or cancelled) on the sign-in page."""
    provider = _provider(slug)
    try:
        authorization = services.AuthorizationRequest.unsign(request.POST.get("request", ""))
    except services.RequestRejected as rejected:
        return _error_page(request, provider, rejected.error, rejected.description)
    if authorization.provider != provider.slug:
        return _error_page(request, provider, "invalid_request", "Authorization request of another provider")
    if request.POST.get("cancel"):
        return _redirect_error(authorization.redirect_uri, authorization.state, "access_denied", USER_ABORTED)
    identity = provider.identity(request.POST.get("identity", ""))
    if identity is None:
        return _error_page(request, provider, "invalid_request", "Unknown test identity")
    if identity.error:
        return _redirect_error(
            authorization.redirect_uri, authorization.state, identity.error, identity.error_description
        )
    grant = services.grant_issue(authorization, identity.id)
    return HttpResponseRedirect(
        _with_params(authorization.redirect_uri, {"code": grant.code, "state": authorization.state})
    )


def _oauth_error(error: services.TokenError) -> JsonResponse:
    response = JsonResponse({"error": error.error, "error_description": error.description}, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{error.error}"'
    _no_store(response)
    return response


@public
@csrf_exempt
@require_POST
def token(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    try:
        client = services.authenticate_client(provider, request.POST, request.headers.get("Authorization", ""))
        grant = services.code_redeem(provider, client, request.POST)
    except services.TokenError as error:
        return _oauth_error(error)
    body = {
        "access_token": grant.access_token,
        "token_type": "Bearer",
        "expires_in": int(services.ACCESS_TOKEN_LIFETIME.total_seconds()),
        "id_token": services.id_token_for(provider, client, grant, issuer(request, provider)),
        "scope": grant.scope,
    }
    status, content_type, text = services.token_answer(provider, body)
    return _no_store(HttpResponse(text, content_type=content_type, status=status))


@public
@never_cache
@require_GET
def userinfo(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    try:
        grant = services.grant_for_access_token(provider, request.headers.get("Authorization", ""))
        content_type, body = services.userinfo_for(provider, grant, issuer(request, provider))
    except services.TokenError as error:
        return _oauth_error(error)
    return HttpResponse(body, content_type=content_type)


@public
@never_cache
@require_GET
def session_end(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    try:
        result = services.session_end(provider, dict(request.GET.lists()), issuer(request, provider))
    except services.RequestRejected as rejected:
        return _error_page(request, provider, rejected.error, rejected.description)
    return HttpResponseRedirect(_with_params(result.url, {"state": result.state}))
