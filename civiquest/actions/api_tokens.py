"""An agent's tokens for the services' API: made (the secret shown once) and revoked, each one audit event."""

from __future__ import annotations

from collections.abc import Iterable

from civiquest.accounts import api_tokens
from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import ServiceApiToken, User
from civiquest.core.transactions import use_case


@use_case
def api_token_create(
    *, agent: User, name: str, service_ids: Iterable[int], scope: str, days: int
) -> tuple[ServiceApiToken, str]:
    """Make a token for some of the agent's services; the token and its secret, to show once."""
    token, secret = api_tokens.token_create(agent=agent, name=name, service_ids=service_ids, scope=scope, days=days)
    audit_record(
        actor=agent,
        action="api_token.create",
        target=token,
        details={
            "services": sorted(token.services.values_list("pk", flat=True)),
            "scope": token.scope,
            "expires_at": token.expires_at,
            "prefix": token.prefix,
        },
    )
    return token, secret


@use_case
def api_token_revoke(*, agent: User, token_id: int) -> ServiceApiToken:
    """Revoke one of the agent's tokens at once (idempotent: a second time records nothing)."""
    token, revoked = api_tokens.token_revoke(agent=agent, token_id=token_id)
    if revoked:
        audit_record(actor=agent, action="api_token.revoke", target=token, details={"prefix": token.prefix})
    return token
