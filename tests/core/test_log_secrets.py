"""No secret reaches the log: the handlers' own filter redacts them, whatever logger wrote the line."""

from __future__ import annotations

import io
import logging
import secrets

import pytest
from django.urls import reverse

from civiquest.core.logging import SecretsFilter


@pytest.fixture
def console_log():
    """What the configured console handler writes, as an operator would read it."""
    [handler] = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(found, SecretsFilter) for found in handler.filters)
    ]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def test_a_runs_log_holds_no_code_token_or_nir(client, citizen, console_log):
    code, state, token = secrets.token_urlsafe(24), secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhYmNkZWYxMjMifQ.c2lnbmF0dXJlX29mX3RoZV90b2tlbg"
    nir = "2 84 12 75 108 123 45"
    # The OpenID callback (the provider's answer carries the code and state in the query)…
    client.get(reverse("oidc:franceconnect-callback"), {"code": code, "state": state})
    # …an appointment's management page (its token is the key to it)…
    client.get(f"/rendez-vous/gestion/{token}/")
    client.force_login(citizen)
    client.get(f"/rendez-vous/gestion/{token}/annuler/?token={token}")
    # …and any module that logs what it received.
    logging.getLogger("civiquest.tests").warning("answer from the provider: id_token=%s nir %s", jwt, nir)
    logging.getLogger("civiquest.tests").warning("Authorization: Bearer %s", token)
    written = console_log.getvalue()
    assert "/rendez-vous/gestion/[redacted]/" in written and "answer from the provider" in written
    for secret in (code, state, token, jwt, nir, nir.replace(" ", "")):
        assert secret not in written
