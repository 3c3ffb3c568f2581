"""What each sandbox provider accepts and answers: parameters, scopes, claims, the registered client."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from civiquest.sandbox import identities

FRANCECONNECT_SCOPES: dict[str, tuple[str, ...]] = {
    "openid": (),
    "given_name": ("given_name", "given_name_array"),
    "family_name": ("family_name",),
    "preferred_username": ("preferred_username",),
    "birthdate": ("birthdate",),
    "gender": ("gender",),
    "birthplace": ("birthplace",),
    "birthcountry": ("birthcountry",),
    "email": ("email",),
    "profile": ("given_name", "given_name_array", "family_name", "birthdate", "gender", "preferred_username"),
    "birth": ("birthplace", "birthcountry"),
    # Data scopes of FranceConnect's partners (API Impôt particulier): no userinfo claim,
    # the DGFiP sandbox reads the grant behind the access token.
    "dgfip_rfr": (),
    "dgfip_nbpart": (),
    "dgfip_sitfam": (),
    "dgfip_nbpac": (),
    "dgfip_aft": (),
    "identite_pivot": (
        "given_name",
        "given_name_array",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
    ),
}
PROCONNECT_SCOPES: dict[str, tuple[str, ...]] = {
    "openid": (),
    "email": ("email",),
    "given_name": ("given_name",),
    "usual_name": ("usual_name",),
    "uid": ("uid",),
    "siret": ("siret",),
    "siren": ("siren",),
    "idp_id": ("idp_id",),
    "organizational_unit": ("organizational_unit",),
    "belonging_population": ("belonging_population",),
    "phone": ("phone",),
    "chorusdt": ("chorusdt",),
    "custom": (),
}


@dataclass(frozen=True)
class Identity:
    """A test identity as the sign-in page and the token endpoint see it."""

    id: str
    label: str
    note: Any
    claims: dict[str, Any]
    error: str
    error_description: str


@dataclass(frozen=True)
class SandboxProvider:
    slug: str
    name: str
    # Every authorize parameter the real provider lists; anything else is refused.
    allowed_parameters: frozenset[str]
    scopes: Mapping[str, tuple[str, ...]]
    # acr values accepted; the first one is given when the request names none.
    acr_values: tuple[str, ...]
    acr_required: bool
    prompts: frozenset[str]
    identities: Callable[[], list[Identity]]

    def identity(self, identity_id: str) -> Identity | None:
        return next((item for item in self.identities() if item.id == identity_id), None)


def _citizens() -> list[Identity]:
    return [
        Identity(item.id, item.label, item.note, item.claims(), item.error, item.error_description)
        for item in identities.CITIZENS
    ]


def _agents() -> list[Identity]:
    return [
        Identity(item.id, item.label, item.note, item.claims(), item.error, item.error_description)
        for item in identities.AGENTS
    ]


FRANCECONNECT = SandboxProvider(
    slug="franceconnect",
    name="FranceConnect",
    allowed_parameters=frozenset(
        {
            "client_id",
            "response_type",
            "redirect_uri",
            "scope",
            "acr_values",
            "state",
            "nonce",
            "claims",
            "prompt",
            "idp_hint",
            "ui_locales",
        }
    ),
    scopes=FRANCECONNECT_SCOPES,
    acr_values=("eidas1",),
    acr_required=True,
    prompts=frozenset({"login", "consent"}),
    identities=_citizens,
)
PROCONNECT = SandboxProvider(
    slug="proconnect",
    name="ProConnect",
    allowed_parameters=frozenset(
        {
            "client_id",
            "response_type",
            "redirect_uri",
            "scope",
            "acr_values",
            "state",
            "nonce",
            "claims",
            "prompt",
            "idp_hint",
            "login_hint",
        }
    ),
    scopes=PROCONNECT_SCOPES,
    acr_values=("eidas1", "eidas2", "eidas3"),
    acr_required=False,
    prompts=frozenset({"login"}),
    identities=_agents,
)
PROVIDERS = {provider.slug: provider for provider in (FRANCECONNECT, PROCONNECT)}


@dataclass(frozen=True)
class Client:
    """The relying party registered at a sandbox provider: the one configured in settings."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    signing_alg: str


def registered_client(slug: str, client_id: str) -> Client | None:
    values = settings.OIDC_PROVIDERS.get(slug, {})
    if not client_id or client_id != values.get("CLIENT_ID"):
        return None
    algorithm = values.get("SIGNING_ALG", "ES256").upper()
    return Client(
        client_id=client_id,
        client_secret=values.get("CLIENT_SECRET", ""),
        redirect_uris=tuple(uri for uri in [values.get("REDIRECT_URI", "")] if uri),
        post_logout_redirect_uris=tuple(uri for uri in [values.get("POST_LOGOUT_REDIRECT_URI", "")] if uri),
        signing_alg=algorithm if algorithm in ("ES256", "RS256") else "ES256",
    )
