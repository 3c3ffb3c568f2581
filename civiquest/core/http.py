"""The one way to call an outside service: BAN, ANTS, DGFiP, the moving recipients, the LLM, FranceConnect/ProConnect.

``ServiceClient`` gives every call what an outside service needs:

- **one connection pool per service**, reused across calls: a module-level registry
  (``civiquest.core.pools``) holds one ``httpx.Client`` per service name, created on first use
  under a lock (thread-safe; httpx's pool is too) and forgotten in a forked child (its sockets
  are the parent's);
- **retries** of idempotent calls on timeouts, connection errors, 5xx and 429, after an
  exponential backoff with jitter (``BACKOFF × 2^n`` seconds, each wait drawn between half and
  all of it, so that clients that failed together do not retry together); a short
  ``Retry-After`` is honoured, a long one gives up at once;
- **a total deadline** across attempts, waits included (``DEADLINE`` seconds, by default
  ``DEFAULT_DEADLINE_TIMEOUTS`` × the per-attempt ``TIMEOUT``), on top of the time budget of
  the page or task the call serves (``civiquest.core.budget``): each attempt's timeout is
  capped at the time left of both, and a retry or wait that would overrun either is skipped;
- **a circuit breaker** (``civiquest.core.circuit``) whose state lives in the Django cache, so
  every process of a deployment (Redis in production) sees the same open circuit;
- errors that carry a translated message safe to show the citizen (``IntegrationError`` and
  its subclasses; ``ServiceUnavailable`` is a ``TransientError`` that background tasks retry).

JSON services use ``get``/``post``/``delete`` (the answer parsed, 4xx as ``RequestRejected``);
``request`` returns the raw response of any content (an OpenID provider's signed JWT), and
``stream`` opens a streamed response (an LLM's server-sent events), not retried. Settings of
the State services come from ``settings.INTEGRATIONS[<service>]`` at each call (tests point
them at a sandbox on a live socket); other callers build their ``ServiceConfig``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from civiquest.core import budget
from civiquest.core.circuit import CircuitBreaker
from civiquest.core.errors import TransientError
from civiquest.core.pools import pooled_client

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
# A call cut shorter than this by the page's budget (the page spent its time elsewhere)
# does not count against the service's circuit when it times out.
FAIR_TRIAL_SECONDS = 1.0
# Below this, no call is started: it could not get an answer anyway.
MIN_CALL_SECONDS = 0.05
CACHE_KEY = "integrations:get:{service}:{digest}"
# Without a DEADLINE setting, all the attempts of one call (and the waits between them) end
# within this many per-attempt timeouts.
DEFAULT_DEADLINE_TIMEOUTS = 2.0

Params = Mapping[str, Any] | list[tuple[str, Any]] | None


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
    # All attempts of one call, waits included, end within this (None: DEFAULT_DEADLINE_TIMEOUTS × timeout).
    deadline: float | None = None

    @classmethod
    def of(cls, name: str) -> ServiceConfig:
        values = settings.INTEGRATIONS[name]
        deadline = values.get("DEADLINE")
        return cls(
            name=name,
            base_url=str(values["BASE_URL"]).rstrip("/"),
            token=str(values.get("TOKEN", "")),
            timeout=float(values["TIMEOUT"]),
            retries=int(values["RETRIES"]),
            backoff=float(values["BACKOFF"]),
            failure_threshold=int(values["FAILURE_THRESHOLD"]),
            recovery_seconds=float(values["RECOVERY_SECONDS"]),
            deadline=None if deadline is None else float(deadline),
        )

    @property
    def total_seconds(self) -> float:
        return self.deadline if self.deadline is not None else DEFAULT_DEADLINE_TIMEOUTS * self.timeout


def backoff_delay(attempt: int, backoff: float) -> float:
    """The wait before retry number ``attempt`` (1, 2…): between half and all of ``backoff × 2^(attempt-1)``."""
    ceiling = backoff * 2 ** (attempt - 1)
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - spreading retries, not a secret


class ServiceClient:
    """HTTP to one outside service, with the resilience every outside call needs."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.breaker = CircuitBreaker(config)

    @classmethod
    def for_service(cls, name: str) -> ServiceClient:
        """A client of one of ``settings.INTEGRATIONS``' services, with its settings of the moment."""
        return cls(ServiceConfig.of(name))

    @property
    def http(self) -> httpx.Client:
        return pooled_client(self.config.name)

    # --- JSON ---------------------------------------------------------------------------------------

    def get(
        self,
        path: str,
        *,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        cache_seconds: int | None = None,
    ) -> Any:
        if not cache_seconds:
            return self._json("GET", path, params=params, headers=headers, idempotent=True)
        key = self._cache_key(path, params)
        cached = cache.get(key)
        if cached is not None:
            return cached
        answer = self._json("GET", path, params=params, headers=headers, idempotent=True)
        cache.set(key, answer, cache_seconds)
        return answer

    def post(
        self,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
    ) -> Any:
        return self._json("POST", path, params=params, json_body=json, headers=headers, idempotent=idempotent)

    def delete(
        self,
        path: str,
        *,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Any:
        return self._json("DELETE", path, params=params, headers=headers, idempotent=idempotent)

    def _json(self, method: str, path: str, *, headers: Mapping[str, str] | None, **options: Any) -> Any:
        response = self._send(method, path, headers={"Accept": "application/json", **(headers or {})}, **options)
        return self._answer(response)

    def _cache_key(self, path: str, params: Params) -> str:
        items = sorted(params.items()) if isinstance(params, Mapping) else sorted(params or [])
        raw = json.dumps([self.config.base_url, path, items], default=str)
        return CACHE_KEY.format(service=self.config.name, digest=hashlib.sha256(raw.encode()).hexdigest())

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

    # --- Any content ---------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """The service's answer, whatever its content, once it is neither a 5xx nor a 429.

        Idempotent (by default GET, HEAD, OPTIONS and DELETE) calls are retried. Raises
        ``ServiceUnavailable`` (or ``CircuitOpen``); a 4xx is returned for the caller to read.
        """
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "OPTIONS", "DELETE")
        response = self._send(
            method, path, params=params, json_body=json, data=data, headers=headers, idempotent=idempotent
        )
        self.breaker.record_success()
        return response

    @contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[httpx.Response]:
        """A streamed answer (one attempt: what was streamed cannot be taken back).

        The status is checked before the body is read: a 5xx or a 429 raises
        ``ServiceUnavailable``; a timeout or a lost connection while the caller reads the
        body too. Each wait for data is bounded by the attempt's timeout.
        """
        name = self.config.name
        url = self._url(path)
        if self.breaker.is_open():
            raise CircuitOpen(name, "circuit open")
        timeout = self._attempt_timeout(time.monotonic() + self.config.total_seconds)
        try:
            with self.http.stream(method, url, json=json, headers=headers, timeout=timeout) as response:
                if response.status_code == 429 or response.status_code >= 500:
                    self.breaker.record_failure()
                    raise ServiceUnavailable(name, f"HTTP {response.status_code}")
                self.breaker.record_success()
                yield response
        except httpx.TimeoutException as error:
            if timeout >= min(self.config.timeout, FAIR_TRIAL_SECONDS):
                self.breaker.record_failure()
            raise ServiceUnavailable(name, "timeout") from error
        except httpx.TransportError as error:
            self.breaker.record_failure()
            raise ServiceUnavailable(name, f"transport error: {type(error).__name__}") from error

    # --- Attempts ------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith(("https://", "http://")):
            return path
        if not self.config.base_url:
            raise ServiceUnavailable(self.config.name, "no base URL configured")
        return f"{self.config.base_url}/{path.lstrip('/')}"

    def _attempt_timeout(self, ends: float) -> float:
        """This attempt's timeout: the service's, or the time left of the page's budget or the deadline."""
        timeout = min(budget.capped(self.config.timeout), ends - time.monotonic())
        if timeout < MIN_CALL_SECONDS:
            left = budget.time_left()
            spent = "time budget spent" if left is not None and left < MIN_CALL_SECONDS else "deadline reached"
            raise ServiceUnavailable(self.config.name, spent)
        return timeout

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None,
        idempotent: bool,
    ) -> httpx.Response:
        """Attempts until an answer that is not a 5xx nor a 429; on failure, the circuit is told."""
        name = self.config.name
        url = self._url(path)
        if self.breaker.is_open():
            raise CircuitOpen(name, "circuit open")
        ends = time.monotonic() + self.config.total_seconds
        attempts = 1 + (self.config.retries if idempotent else 0)
        last_error: IntegrationError = ServiceUnavailable(name)
        # Whether the service itself failed (not only our page's budget or deadline running out).
        service_failed = False
        for attempt in range(attempts):
            if attempt and not self._pause(backoff_delay(attempt, self.config.backoff), ends):
                break
            try:
                timeout = self._attempt_timeout(ends)
            except ServiceUnavailable as spent:
                last_error = spent
                break
            try:
                response = self.http.request(
                    method, url, params=params, json=json_body, data=data, headers=headers, timeout=timeout
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
                if response.status_code == 429 and not self._wait_retry_after(response, ends):
                    break
                continue
            return response
        if service_failed:
            self.breaker.record_failure()
        logger.warning("integration call failed", extra={"service": name, "detail": last_error.detail})
        raise last_error

    @staticmethod
    def _pause(seconds: float, ends: float) -> bool:
        """Sleep before a retry; False (no sleep) when the budget or deadline would not cover it and a call after."""
        left = budget.time_left()
        until_deadline = ends - time.monotonic()
        if left is not None:
            until_deadline = min(until_deadline, left)
        if seconds + MIN_CALL_SECONDS >= until_deadline:
            return False
        if seconds > 0:
            time.sleep(seconds)
        return True

    def _wait_retry_after(self, response: httpx.Response, ends: float) -> bool:
        """Honour a short Retry-After (seconds); a long one means giving up now."""
        try:
            delay = float(response.headers.get("Retry-After", "0"))
        except ValueError:
            delay = 0.0
        if delay > MAX_RETRY_AFTER_SECONDS:
            return False
        return self._pause(delay, ends)


def answer_shape_error(service: str, what: str) -> BadAnswer:
    """For clients validating an answer's shape: the failure also counts against the circuit."""
    CircuitBreaker(ServiceConfig.of(service)).record_failure()
    return BadAnswer(service, what)
