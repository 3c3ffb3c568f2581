"""Signing keys of the sandbox providers: generated on first use, kept in the database, rotatable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from civiquest.sandbox.models import SigningKey

ALGORITHMS = ("ES256", "RS256")


def _generate(algorithm: str) -> ECKey | RSAKey:
    parameters: Any = {"use": "sig", "alg": algorithm}
    if algorithm == "ES256":
        return ECKey.generate_key("P-256", parameters=parameters, auto_kid=True)
    if algorithm == "RS256":
        return RSAKey.generate_key(2048, parameters=parameters, auto_kid=True)
    raise ValueError(f"Unsupported signing algorithm: {algorithm}")


def _create(provider: str, algorithm: str) -> SigningKey:
    key = _generate(algorithm)
    return SigningKey.objects.create(
        provider=provider, algorithm=algorithm, kid=key.kid or key.thumbprint(), private_jwk=key.as_dict(private=True)
    )


def active_key(provider: str, algorithm: str) -> SigningKey:
    """The key that signs for this provider and algorithm, created on first use.

    Two workers creating it at once make one key: the second insert breaks the
    one-active-key constraint and that worker reads the first one's key.
    """
    existing = SigningKey.objects.filter(provider=provider, algorithm=algorithm, retired_at__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _create(provider, algorithm)
    except IntegrityError:
        return SigningKey.objects.get(provider=provider, algorithm=algorithm, retired_at__isnull=True)


@transaction.atomic
def rotate_keys(provider: str, *, keep_previous: bool = True) -> list[SigningKey]:
    """Retire the provider's active keys and make new ones for the same algorithms.

    ``keep_previous``: the retired keys stay published for SANDBOX_OIDC_KEY_GRACE_SECONDS, so
    tokens signed just before still verify; otherwise they are withdrawn from the key set at once.
    """
    now = timezone.now()
    retiring = list(SigningKey.objects.select_for_update().filter(provider=provider, retired_at__isnull=True))
    algorithms = sorted({key.algorithm for key in retiring}) or [configured_algorithm(provider)]
    for key in retiring:
        key.retired_at = now
        if not keep_previous:
            key.withdrawn_at = now
        key.save(update_fields=["retired_at", "withdrawn_at"])
    return [_create(provider, algorithm) for algorithm in algorithms]


def configured_algorithm(provider: str) -> str:
    algorithm = settings.OIDC_PROVIDERS.get(provider, {}).get("SIGNING_ALG", "ES256").upper()
    return algorithm if algorithm in ALGORITHMS else "ES256"


def published_keys(provider: str) -> list[SigningKey]:
    """Active keys, and retired ones still in their grace period."""
    grace_start = timezone.now() - dt.timedelta(seconds=settings.SANDBOX_OIDC_KEY_GRACE_SECONDS)
    return list(
        SigningKey.objects.filter(provider=provider, withdrawn_at__isnull=True)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=grace_start))
        .order_by("-created_at")
    )


def _public(key: SigningKey) -> dict[str, Any]:
    imported = RSAKey.import_key(key.private_jwk) if key.algorithm == "RS256" else ECKey.import_key(key.private_jwk)
    return dict(imported.as_dict(private=False))


def public_key_set(provider: str) -> dict[str, list[dict[str, Any]]]:
    """The provider's JWKS document."""
    return {"keys": [_public(key) for key in published_keys(provider)]}


def issued_key_set(provider: str) -> KeySet:
    """Every key the provider ever signed with, withdrawn ones included: it knows its own tokens."""
    keys = SigningKey.objects.filter(provider=provider).order_by("-created_at")
    return KeySet.import_key_set({"keys": [_public(key) for key in keys]})


def sign(provider: str, algorithm: str, claims: dict[str, Any], *, key: SigningKey | None = None) -> str:
    """A compact JWS of the claims, signed with the active key (or the given one)."""
    signing_key = key or active_key(provider, algorithm)
    private = (
        RSAKey.import_key(signing_key.private_jwk)
        if signing_key.algorithm == "RS256"
        else ECKey.import_key(signing_key.private_jwk)
    )
    header = {"alg": signing_key.algorithm, "kid": signing_key.kid, "typ": "JWT"}
    return jwt.encode(header, claims, private, algorithms=[signing_key.algorithm])


def throwaway_key(provider: str, algorithm: str) -> SigningKey:
    """An unsaved key that no key set publishes (fault injection: a token signed by a stranger)."""
    key = _generate(algorithm)
    return SigningKey(
        provider=provider, algorithm=algorithm, kid=key.kid or key.thumbprint(), private_jwk=key.as_dict(private=True)
    )
