"""A private Redis for one test, that the test may stop (never the shared one on 6379)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    client.close()
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        """Kill it, as an outage would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def caches(self, **options: Any) -> dict[str, Any]:
        """A ``CACHES`` setting on this Redis, through the resilient backend, with production's options."""
        return {
            "default": {
                "BACKEND": "civiquest.core.cache.ResilientRedisCache",
                "LOCATION": self.url,
                "KEY_PREFIX": "civiquest",
                "TIMEOUT": 300,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "DOWN_SECONDS": 5, **options},
            },
            # The page chrome stays in the process, as in production.
            "fragments": settings.FRAGMENTS_CACHE,
        }


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()
