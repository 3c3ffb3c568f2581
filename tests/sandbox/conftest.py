# The sandbox providers are tested over real HTTP with the relying party's test fixtures.
from tests.accounts.oidc.conftest import http, providers_on_live_server, visitor

__all__ = ["http", "providers_on_live_server", "visitor"]
