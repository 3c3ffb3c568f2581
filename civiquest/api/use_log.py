"""The use log of the services' API: one row per call made with a token, whatever it was answered.

The operations of ``civiquest.api.services`` authenticate with ``TokenAuth``, which leaves the
token on ``request.auth``. This middleware logs the call once it has its answer, so the log
also holds the refusals that happen before the operation runs (a body or parameter that does
not match the schema) and any server error. Unknown tokens are not logged (nothing to log
them against); revoked or expired tokens and rate-limited calls are logged by ``TokenAuth``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from civiquest.accounts import api_tokens
from civiquest.accounts.models import ServiceApiToken


class ServicesApiUseLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = getattr(request, "auth", None)
        if isinstance(token, ServiceApiToken):
            api_tokens.token_use_record(
                token=token, method=request.method or "", path=request.path, status=response.status_code
            )
        return response
