"""The client's address, seen through the reverse proxies we trust and no others.

``X-Forwarded-For`` is read only when the peer (``REMOTE_ADDR``) is one of the proxies listed
in ``CIVIQUEST_TRUSTED_PROXIES`` (addresses or networks; none by default). Each proxy appends
the address it received the request from, so the header is walked from the right, past our
own proxies, to the first address that is not one of them: entries further left may have
been written by the client. A client reaching the application directly, or a header that
does not parse, leaves the peer's address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(listed: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in listed if entry.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.CIVIQUEST_TRUSTED_PROXIES))
    peer = _address(remote)
    if not networks or peer is None or not _trusted(peer, networks):
        return remote
    hops = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    found = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        found = address
        if not _trusted(address, networks):
            break
    return str(found)
