"""Request id, the outside-calls budget, the request size limit, and structured request logging."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

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


def request_max_bytes() -> int:
    """The largest body accepted: one document at the upload limit, plus the form around it."""
    configured = int(getattr(settings, "CIVIQUEST_REQUEST_MAX_BYTES", 0) or 0)
    return configured or int(settings.CIVIQUEST_UPLOAD_MAX_BYTES) + 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuses a body larger than the limit from its declared length, before reading any of it.

    Django would otherwise stream a 200 MiB multipart body to disk before the form says the
    file is too big. (A chunked body has no declared length; Django reads none of it.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = request_max_bytes()
        if declared > limit:
            response = (
                JsonResponse({"detail": too_large_message(limit)}, status=413)
                if request.path.startswith("/api/")
                else request_too_large(limit)
            )
            # Answered before the middleware that would set it, and before the body was read.
            response["Content-Length"] = str(len(response.content))
            return response
        return self.get_response(request)


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value: object, depth: int = 0) -> bool:
    """A NUL byte or a lone surrogate anywhere in a string: no database or encoder takes them."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if depth > 32:
        return True
    if isinstance(value, dict):
        return any(unstorable(key, depth + 1) or unstorable(item, depth + 1) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(unstorable(item, depth + 1) for item in value)
    return False


class UnstorableInputMiddleware:
    """Refuses, once for every view, input holding characters no database stores.

    A NUL byte or a lone surrogate (``%00``, ``\\u0000``, ``\\ud800`` in a query string, a form or
    a JSON body) would otherwise reach PostgreSQL or an encoder and end in a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            message = _("Votre envoi contient un caractère invalide (nul ou mal encodé) : retirez-le et réessayez.")
            if request.path.startswith("/api/"):
                response: HttpResponse = JsonResponse({"detail": message}, status=400)
            else:
                response = HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
            response["Content-Length"] = str(len(response.content))
            return response
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if unstorable(request.path) or any(unstorable(value) for value in request.GET.lists()):
            return True
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return False
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            # Read whole first (Django bounds it), so that a view may still read ``request.body``.
            request.body  # noqa: B018
            return any(unstorable(item) for item in request.POST.lists())
        # A multipart body is left to the forms (Django's fields refuse NUL, its parser replaces
        # bad encodings): reading it here would keep a view from reading it its own way.
        if content_type == "application/json":
            try:
                return unstorable(json.loads(request.body or b"null"))
            except ValueError:
                return False  # malformed JSON: the API answers it
        return False


def too_large_message(limit_bytes: int) -> str:
    return _("Votre envoi dépasse la taille maximale acceptée, %(size)s.") % {"size": filesizeformat(limit_bytes)}


def request_too_large(limit_bytes: int) -> HttpResponse:
    """413: a body refused before it is read (rendered without the session or the database)."""
    template = loader.get_template("413.html")
    message = too_large_message(limit_bytes)
    response = HttpResponse(
        template.render({"title": _("Envoi trop volumineux"), "limit_message": message}), status=413
    )
    response["Cache-Control"] = "no-store"
    return response
