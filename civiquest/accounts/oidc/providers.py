"""The OpenID providers CiviQuest signs people in with, and what we ask each of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from civiquest.accounts.models import IdentityProvider


class Audience(StrEnum):
    CITIZEN = "citizen"
    AGENT = "agent"


@dataclass(frozen=True)
class ProviderSpec:
    """What does not depend on the deployment: scopes, acr, who signs in with it."""

    slug: str
    name: str
    identity_provider: IdentityProvider
    audience: Audience
    scopes: tuple[str, ...]
    # Sent as acr_values and required back in the id_token; None: neither.
    acr: str | None


FRANCECONNECT = ProviderSpec(
    slug="franceconnect",
    name="FranceConnect",
    identity_provider=IdentityProvider.FRANCECONNECT,
    audience=Audience.CITIZEN,
    scopes=(
        "openid",
        "given_name",
        "family_name",
        "preferred_username",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        "email",
    ),
    acr="eidas1",
)
# Data a signed-in citizen may agree to share through FranceConnect, by purpose: the scopes
# the relying party asks for, on top of the identity ones, for the data provider's API.
FRANCECONNECT_DATA_SCOPES: dict[str, tuple[str, ...]] = {
    # API Impôt particulier (DGFiP): reference tax income, parts, family situation, tax address.
    "dgfip": ("dgfip_rfr", "dgfip_nbpart", "dgfip_sitfam", "dgfip_nbpac", "dgfip_aft"),
}
PROCONNECT = ProviderSpec(
    slug="proconnect",
    name="ProConnect",
    identity_provider=IdentityProvider.PROCONNECT,
    audience=Audience.AGENT,
    scopes=("openid", "email", "given_name", "usual_name", "uid", "siret", "idp_id"),
    acr=None,
)
SPECS = {spec.slug: spec for spec in (FRANCECONNECT, PROCONNECT)}
SUPPORTED_ALGORITHMS = frozenset({"ES256", "RS256"})


@dataclass(frozen=True)
class Provider:
    """A provider as this deployment is registered with it (from settings.OIDC_PROVIDERS)."""

    spec: ProviderSpec
    discovery_url: str
    client_id: str
    client_secret: str
    redirect_uri: str
    post_logout_redirect_uri: str
    signing_alg: str

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_configured(self) -> bool:
        return bool(
            self.discovery_url
            and self.client_id
            and self.client_secret
            and self.redirect_uri
            and self.signing_alg in SUPPORTED_ALGORITHMS
        )


def provider(slug: str) -> Provider:
    """The provider named by slug; KeyError for a slug we do not know."""
    spec = SPECS[slug]
    values = settings.OIDC_PROVIDERS.get(slug, {})
    return Provider(
        spec=spec,
        discovery_url=values.get("DISCOVERY_URL", ""),
        client_id=values.get("CLIENT_ID", ""),
        client_secret=values.get("CLIENT_SECRET", ""),
        redirect_uri=values.get("REDIRECT_URI", ""),
        post_logout_redirect_uri=values.get("POST_LOGOUT_REDIRECT_URI", ""),
        signing_alg=values.get("SIGNING_ALG", "ES256").upper(),
    )
