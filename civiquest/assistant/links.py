"""Source links: stored without a host, made absolute only where they are shown outside our pages.

The knowledge base stores a fiche's official service-public.fr address and a procedure's
path (``/demarches/<slug>/``), never the host of the machine that imported it. Our pages use
the path as it is; the API, the answer's text and a model's prompt need an absolute address,
built at that moment from ``CIVIQUEST_PUBLIC_URL`` (``public_url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

# Hosts that only ever name the machine itself (a test client's included).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"})  # noqa: S104 - a name, not a bind


def public_url(url: str) -> str:
    """An absolute address: a path gets ``CIVIQUEST_PUBLIC_URL`` in front, an address is kept."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{settings.CIVIQUEST_PUBLIC_URL.rstrip('/')}{url}"
    return url


def citation_for_api(citation: Mapping[str, Any]) -> dict[str, Any]:
    """A stored citation as the API sends it: its link absolute."""
    return {**citation, "url": public_url(str(citation.get("url", "")))}


def machine_hosts() -> frozenset[str]:
    """The hosts that name the machine running the import: local names and ``CIVIQUEST_PUBLIC_URL``'s."""
    own = (urlsplit(settings.CIVIQUEST_PUBLIC_URL).hostname or "").lower()
    return LOCAL_HOSTS | ({own} if own else set())


def names_this_machine(url: str) -> bool:
    """Whether a stored URL carries a host of this machine (it must never: see the module's docstring)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return host in machine_hosts()
