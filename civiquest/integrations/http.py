"""The resilient JSON client every State-service integration goes through.

One place for what each outside service needs: timeouts, retries with exponential
backoff on idempotent calls, a circuit breaker, short caching of reads, and errors
that carry a translated message safe to show the citizen. Settings come from
``settings.INTEGRATIONS[<service>]`` at each call (tests point them at a sandbox on a
live socket). The breaker's state lives in the Django cache, so every process of a
deployment (Redis in production) sees the same open circuit.

Every call also respects the time budget of the page (or task) it serves
(``civiquest.core.budget``): its timeout is capped at the time left, and a retry, a
backoff or a Retry-After wait that would overrun the budget is skipped: the call then
fails at once with ``ServiceUnavailable`` and its usual message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from civiquest.core import budget
from civiquest.core.errors import TransientError

logger = logging.getLogger(__name__)

# Labels shown to citizens in error messages (the service keys are INTEGRATIONS' keys).
SERVICE_LABELS: dict[str, Any] = {
    "ban": _("le service d’adresses (Base Adresse Nationale)"),
    "ants_coordination": _("le service de rendez-vous de l’ANTS"),
    "dgfip": _("le service des impôts (DGFiP)"),
    "moving_recipients": _("le service de changement d’adresse"),
}
# A Retry-After longer than this is not waited for: the call fails and the citizen is told.
MAX_RETRY_AFTER_SECONDS = 2.0
CIRCUIT_KEY = "integrations:circuit:{service}"
# A call cut shorter than this by the page's budget (the page spent its time elsewhere)
# does not count against the service's circuit when it times out.
FAIR_TRIAL_SECONDS = 1.0
# Below this, no call is started: it could not get an answer anyway.
MIN_CALL_SECONDS = 0.05
CACHE_KEY = "integrations:get:{service}:{digest}"


def _sentence_start(text: str) -> str:
    """Upper-case the first letter only (``str.capitalize`` would lower "ANTS")."""
    return text[:1].upper() + text[1:]


class IntegrationError(Exception):
    """An outside service did not give a usable answer."""

    def __init__(self, service: str, detail: str = "") -> None:
        super().__init__(f"{service}: {detail}" if detail else service)
        self.service = service
        self.detail = detail

    @property
    def service_label(self) -> str:
        return str(SERVICE_LABELS.get(self.service, self.service))

    @property
    def user_message(self) -> str:
        return str(
            _(
                "Nous n’arrivons pas à joindre %(service)s pour le moment. Ce que vous avez saisi est "
                "conservé : réessayez dans quelques minutes."
            )
            % {"service": self.service_label}
        )


class ServiceUnavailable(IntegrationError, TransientError):
    """Network error, timeout, server error, or too many requests even after retries."""


class CircuitOpen(ServiceUnavailable):
    """Too many failures in a row: no call is made until the recovery delay has passed."""


class BadAnswer(IntegrationError):
    """The service answered something that is not what its API documents."""

    @property
    def user_message(self) -> str:
        return str(
            _(
                "%(service)s a renvoyé une réponse inattendue. Ce que vous avez saisi est conservé : "
                "réessayez dans quelques minutes."
            )
            % {"service": _sentence_start(self.service_label)}
        )


class RequestRejected(IntegrationError):
    """A 4xx answer other than 429: our request was refused, the service itself is fine."""

    def __init__(self, service: str, status: int, payload: Any) -> None:
        super().__init__(service, f"HTTP {status}")
        self.status = status
        self.payload = payload

    @property
    def user_message(self) -> str:
        return str(_("%(service)s a refusé la demande.") % {"service": _sentence_start(self.service_label)})


@dataclass(frozen=True)
class ServiceConfig:
    name: str
    base_url: str
    token: str
    timeout: float
    retries: int
    backoff: float
    failure_threshold: int
    recovery_seconds: float

    @classmethod
    def of(cls, name: str) -> ServiceConfig:
        values = settings.INTEGRATIONS[name]
        return cls(
            name=name,
            base_url=str(values["BASE_URL"]).rstrip("/"),
            token=str(values.get("TOKEN", "")),
            timeout=float(values["TIMEOUT"]),
            retries=int(values["RETRIES"]),
            backoff=float(values["BACKOFF"]),
            failure_threshold=int(values["FAILURE_THRESHOLD"]),
            recovery_seconds=float(values["RECOVERY_SECONDS"]),
        )


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


class JsonClient:
    """JSON over HTTP to one outside service, with the resilience every integration needs."""

    def __init__(self, config: ServiceConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.breaker = CircuitBreaker(config)
        self.transport = transport

    @classmethod
    def for_service(cls, name: str) -> JsonClient:
        return cls(ServiceConfig.of(name))

    def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        cache_seconds: int | None = None,
    ) -> Any:
        if not cache_seconds:
            return self._call("GET", path, params=params, headers=headers, idempotent=True)
        key = self._cache_key(path, params)
        cached = cache.get(key)
        if cached is not None:
            return cached
        answer = self._call("GET", path, params=params, headers=headers, idempotent=True)
        cache.set(key, answer, cache_seconds)
        return answer

    def post(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
    ) -> Any:
        return self._call("POST", path, params=params, json_body=json, headers=headers, idempotent=idempotent)

    def delete(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Any:
        return self._call("DELETE", path, params=params, headers=headers, idempotent=idempotent)

    def _cache_key(self, path: str, params: Mapping[str, Any] | list[tuple[str, Any]] | None) -> str:
        items = sorted(params.items()) if isinstance(params, Mapping) else sorted(params or [])
        raw = json.dumps([self.config.base_url, path, items], default=str)
        return CACHE_KEY.format(service=self.config.name, digest=hashlib.sha256(raw.encode()).hexdigest())

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
    ) -> Any:
        name = self.config.name
        if not self.config.base_url:
            raise ServiceUnavailable(name, "no base URL configured")
        if self.breaker.is_open():
            raise CircuitOpen(name, "circuit open")
        attempts = 1 + (self.config.retries if idempotent else 0)
        url = f"{self.config.base_url}/{path.lstrip('/')}"
        last_error: IntegrationError = ServiceUnavailable(name)
        # Whether the service itself failed (not only our page's budget running out).
        service_failed = False
        for attempt in range(attempts):
            if attempt and not self._pause(self.config.backoff * 2 ** (attempt - 1)):
                break
            timeout = budget.capped(self.config.timeout)
            if timeout < MIN_CALL_SECONDS:
                last_error = ServiceUnavailable(name, "time budget spent")
                break
            try:
                response = self._send(
                    method, url, params=params, json_body=json_body, headers=headers, timeout=timeout
                )
            except httpx.TimeoutException:
                last_error = ServiceUnavailable(name, "timeout")
                service_failed = service_failed or timeout >= min(self.config.timeout, FAIR_TRIAL_SECONDS)
                continue
            except httpx.TransportError as error:
                last_error = ServiceUnavailable(name, f"transport error: {type(error).__name__}")
                service_failed = True
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last_error = ServiceUnavailable(name, f"HTTP {response.status_code}")
                service_failed = True
                if response.status_code == 429 and not self._wait_retry_after(response):
                    break
                continue
            return self._answer(response)
        if service_failed:
            self.breaker.record_failure()
        logger.warning("integration call failed", extra={"service": name, "detail": last_error.detail})
        raise last_error

    @staticmethod
    def _pause(seconds: float) -> bool:
        """Sleep before a retry; False (no sleep) when the page's budget would not cover it and a call after."""
        left = budget.time_left()
        if left is not None and seconds + MIN_CALL_SECONDS >= left:
            return False
        if seconds > 0:
            time.sleep(seconds)
        return True

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        timeout: float,
    ) -> httpx.Response:
        with httpx.Client(timeout=timeout, transport=self.transport) as client:
            return client.request(
                method, url, params=params, json=json_body, headers={"Accept": "application/json", **(headers or {})}
            )

    def _wait_retry_after(self, response: httpx.Response) -> bool:
        """Honour a short Retry-After (seconds); a long one means giving up now."""
        try:
            delay = float(response.headers.get("Retry-After", "0"))
        except ValueError:
            delay = 0.0
        if delay > MAX_RETRY_AFTER_SECONDS:
            return False
        return self._pause(delay)

    def _answer(self, response: httpx.Response) -> Any:
        name = self.config.name
        try:
            payload = response.json() if response.content else None
        except ValueError as error:
            self.breaker.record_failure()
            raise BadAnswer(name, "malformed JSON") from error
        if response.status_code >= 400:
            # The service answered properly: our request was wrong, not the service down.
            self.breaker.record_success()
            raise RequestRejected(name, response.status_code, payload)
        self.breaker.record_success()
        return payload


def answer_shape_error(service: str, what: str) -> BadAnswer:
    """For clients validating an answer's shape: the failure also counts against the circuit."""
    CircuitBreaker(ServiceConfig.of(service)).record_failure()
    return BadAnswer(service, what)
