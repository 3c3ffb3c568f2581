"""The circuit breaker of the outside services, its state in the Django cache shared by every process."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from django.core.cache import cache

if TYPE_CHECKING:
    from civiquest.core.http import ServiceConfig

logger = logging.getLogger(__name__)

CIRCUIT_KEY = "integrations:circuit:{service}"


class CircuitBreaker:
    """Closed → open after ``failure_threshold`` failures in a row → half-open after the delay.

    Half-open lets calls through again; the first success closes the circuit, a failure
    opens it for another delay. State, in the cache, shared by every process: a counter of
    failures in a row (``cache.add`` + ``cache.incr``, atomic on Redis: concurrent failures
    in several processes are all counted) and, once the threshold is crossed, the time the
    circuit stays open until. With the cache unreachable the circuit stays closed: the
    page's time budget still bounds what a dead service costs.
    """

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        key = CIRCUIT_KEY.format(service=config.name)
        self.failures_key = f"{key}:failures"
        self.open_until_key = f"{key}:open-until"

    def failures(self) -> int:
        return int(cache.get(self.failures_key) or 0)

    def is_open(self) -> bool:
        return float(cache.get(self.open_until_key) or 0.0) > time.time()

    def record_success(self) -> None:
        if cache.get(self.failures_key):
            cache.delete_many([self.failures_key, self.open_until_key])

    def record_failure(self) -> None:
        # No expiry: "in a row" lasts until a success. The counter stays above the threshold
        # while open, so a failure when half-open re-opens at once.
        cache.add(self.failures_key, 0, None)
        try:
            failures = int(cache.incr(self.failures_key))
        except ValueError:  # deleted by a success in between, or the cache is unreachable
            return
        if failures < self.config.failure_threshold:
            return
        cache.set(self.open_until_key, time.time() + self.config.recovery_seconds, None)
        if failures == self.config.failure_threshold:
            logger.warning("integration circuit opened", extra={"service": self.config.name, "failures": failures})


def reset_circuit(service: str) -> None:
    key = CIRCUIT_KEY.format(service=service)
    cache.delete_many([f"{key}:failures", f"{key}:open-until"])
