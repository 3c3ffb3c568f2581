"""The client's address, seen through the reverse proxies we trust and no others."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """`REMOTE_ADDR`, or, behind N trusted proxies, the N-th address from the right of
    `X-Forwarded-For` (each proxy appends the address it received the request from, so
    entries further left can be forged by the client)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted_proxies = settings.CIVIQUEST_TRUSTED_PROXY_COUNT
    if trusted_proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted_proxies:
        return remote
    return _valid_ip(forwarded[-trusted_proxies]) or remote
