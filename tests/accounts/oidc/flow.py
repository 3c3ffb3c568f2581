"""Drive a sign-in as a browser would, over real HTTP to the sandbox provider on the live server.

CiviQuest's own pages go through Django's test client (so the test can look at its
session); the provider's pages are fetched with httpx from the live server, and every
server-to-server call of the relying party (discovery, token, userinfo, key set) is a
real HTTP request to the same live server. Nothing is mocked.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

HIDDEN_FIELD = re.compile(r'<input type="hidden" name="(?P<name>[a-z_]+)" value="(?P<value>[^"]*)"')


def point_providers_at(settings, base_url: str, **overrides: str) -> None:
    """Make the relying party use the sandbox providers served at base_url (the live server)."""
    providers = copy.deepcopy(settings.OIDC_PROVIDERS)
    for slug, values in providers.items():
        values.update(
            DISCOVERY_URL=f"{base_url}/sandbox/{slug}/api/v2/.well-known/openid-configuration",
            REDIRECT_URI=f"{base_url}/compte/connexion/{slug}/retour/",
            POST_LOGOUT_REDIRECT_URI=f"{base_url}/compte/deconnexion/retour/",
            **overrides,
        )
    settings.OIDC_PROVIDERS = providers


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Visitor:
    client: Client
    http: httpx.Client

    def start(self, slug: str) -> str:
        """Press the provider's button; returns the provider's authorize URL."""
        response = self.client.post(reverse(f"oidc:{slug}-start"))
        assert response.status_code == 302, response.content.decode()[:500]
        return response["Location"]

    def provider_page(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def choose(self, page: httpx.Response, identity: str | None) -> httpx.Response:
        """Pick a test identity on the sandbox's sign-in page (None: cancel)."""
        assert page.status_code == 200, page.text[:500]
        fields = {match["name"]: html.unescape(match["value"]) for match in HIDDEN_FIELD.finditer(page.text)}
        form = {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "request": fields["request"]}
        form.update({"identity": identity} if identity else {"cancel": "1"})
        action = re.search(r'<form method="post" action="([^"]+/login)"', page.text)
        assert action is not None
        return self.http.post(str(page.url.join(action.group(1))), data=form)

    def back_to_site(self, location: str) -> HttpResponse:
        """Follow the provider's redirect back to CiviQuest."""
        return self.client.get(local_path(location))

    def callback_location(self, slug: str, identity: str | None) -> str:
        """Everything up to the provider's redirect to our callback (not followed)."""
        page = self.provider_page(self.start(slug))
        chosen = self.choose(page, identity)
        assert chosen.status_code == 302, chosen.text[:500]
        return chosen.headers["location"]

    def sign_in(self, slug: str, identity: str | None) -> HttpResponse:
        return self.back_to_site(self.callback_location(slug, identity))

    def is_signed_in(self) -> bool:
        return "_auth_user_id" in self.client.session
