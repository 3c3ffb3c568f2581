"""This process's connection pools to the outside services: one ``httpx.Client`` per service."""

from __future__ import annotations

import os
import threading

import httpx

# Each service's pool: connections open at once, and idle ones kept for the next call.
POOL_LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=8, keepalive_expiry=5.0)


class _Pools:
    """This process's connection pools: one ``httpx.Client`` per service, made on first use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: dict[str, httpx.Client] = {}

    def client(self, service: str) -> httpx.Client:
        client = self.clients.get(service)
        if client is not None:
            return client
        with self.lock:
            client = self.clients.get(service)
            if client is None:
                client = httpx.Client(limits=POOL_LIMITS, follow_redirects=False)
                self.clients[service] = client
            return client

    def close(self) -> None:
        with self.lock:
            clients, self.clients = self.clients, {}
        for client in clients.values():
            client.close()

    def forget(self) -> None:
        """In a forked child: the parent's sockets are not ours to use, nor to close."""
        self.lock = threading.Lock()
        self.clients = {}


_pools = _Pools()
os.register_at_fork(after_in_child=_pools.forget)


def pooled_client(service: str) -> httpx.Client:
    """The connection pool of ``service`` in this process, the same at every call."""
    return _pools.client(service)


def close_pools() -> None:
    """Close every pool of this process (tests, shutdown); the next call opens a new one."""
    _pools.close()
