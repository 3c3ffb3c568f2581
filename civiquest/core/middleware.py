"""Request id, the outside-calls budget, and structured request logging."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.functional import LazyObject, empty

from civiquest.core import budget
from civiquest.core.logging import current_request_id

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from a trusted proxy is kept only if it is short and plain, so that it
# can never inject anything into logs or headers.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")

request_logger = logging.getLogger("civiquest.request")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class OutsideCallsBudgetMiddleware:
    """Give the request ``CIVIQUEST_OUTSIDE_CALLS_BUDGET_SECONDS`` for the outside services it calls."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = budget.default_seconds()
        deadline = None if seconds is None else time.monotonic() + seconds
        with budget.until(deadline):
            response = self.get_response(request)
        # A file download calls no outside service, and wrapping it would lose the server's sendfile.
        if (
            deadline is not None
            and isinstance(response, StreamingHttpResponse)
            and not isinstance(response, FileResponse)
            and not response.is_async
        ):
            response.streaming_content = budget.within(deadline, iter(response.streaming_content))
        return response


def _loaded_user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id if the request already loaded its user; never loads it.

    Loading it reads the session (Redis, the database): a health probe carrying a session
    cookie, or a request whose database is down, must not fail in its log line.
    """
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, LazyObject) and getattr(user, "_wrapped", empty) is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """One log line per request, with what an operator needs to follow it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": _loaded_user_id(request),
            },
        )
        return response
