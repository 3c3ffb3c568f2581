"""Content security policy: the header on every response, and the violation reports browsers send.

The policy itself is the ``CONTENT_SECURITY_POLICY`` setting (django-csp 4); the middleware adds
the identity providers to its form-action. Reports are read in both formats browsers post:
``application/csp-report`` (``report-uri``, one violation: what the policy asks for, since
chromium delivers it at once) and ``application/reports+json`` (the Reporting API's batches).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

REPORT_CONTENT_TYPES = ("application/csp-report", "application/reports+json")
# Report fields are cut to this length: they end up in a log line, not in a database.
FIELD_MAX_CHARS = 300
# Values of blocked-uri that are keywords, not URLs.
BLOCKED_KEYWORDS = {"inline", "eval", "wasm-eval", "data", "blob", "self", "trusted-types-policy"}


# The provider URLs a sign-in or sign-out form's redirects may lead to (or come back to).
PROVIDER_URL_SETTINGS = ("DISCOVERY_URL", "REDIRECT_URI", "POST_LOGOUT_REDIRECT_URI")


@lru_cache(maxsize=16)
def _origins(urls: tuple[str, ...]) -> tuple[str, ...]:
    origins: dict[str, None] = {}
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins[f"{parts.scheme}://{parts.netloc}"] = None
    return tuple(origins)


def identity_provider_origins(providers: dict[str, dict[str, str]]) -> list[str]:
    """The origins of the identity providers (their discovery document's, where authorize and
    session/end are) and of our callbacks (ours, unless the sandbox is reached on another host).

    Chrome applies form-action to every redirect that follows a form post: "S’identifier avec
    FranceConnect" posts to us, and we redirect to the provider; sign-out goes through its
    session/end; the sandbox's sign-in form redirects back to our callback.
    """
    return list(
        _origins(tuple(provider.get(name, "") for provider in providers.values() for name in PROVIDER_URL_SETTINGS))
    )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the identity providers in form-action.

    The providers are read from ``settings.OIDC_PROVIDERS`` at each response, so the policy
    follows them wherever they are configured.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            origins = identity_provider_origins(settings.OIDC_PROVIDERS)
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            parts.update = update
        return parts


@dataclass(frozen=True)
class Violation:
    """One violation, reduced to what an operator needs and stripped of query strings (secrets)."""

    directive: str
    blocked: str
    document_path: str
    source: str
    line: int | None
    disposition: str

    def log_fields(self) -> dict[str, Any]:
        return {
            "csp_directive": self.directive,
            "csp_blocked": self.blocked,
            "csp_document_path": self.document_path,
            "csp_source": self.source,
            "csp_line": self.line,
            "csp_disposition": self.disposition,
        }


class MalformedReport(ValueError):
    """The body is not a report of the declared type."""


def _text(value: object) -> str:
    return value[:FIELD_MAX_CHARS] if isinstance(value, str) else ""


def _without_query(value: object) -> str:
    """A URL without its query string and fragment (tokens, codes, states travel there); keywords as they are."""
    text = _text(value)
    if not text or text in BLOCKED_KEYWORDS:
        return text
    parts = urllib.parse.urlsplit(text)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _path_only(value: object) -> str:
    return urllib.parse.urlsplit(_text(value)).path


def _line(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _from_csp_report(body: dict[str, Any]) -> Violation:
    """A ``report-uri`` report's ``csp-report`` object (kebab-case fields)."""
    return Violation(
        directive=_text(body.get("effective-directive") or body.get("violated-directive")),
        blocked=_without_query(body.get("blocked-uri")),
        document_path=_path_only(body.get("document-uri")),
        source=_without_query(body.get("source-file")),
        line=_line(body.get("line-number")),
        disposition=_text(body.get("disposition")) or "enforce",
    )


def _from_reporting_api(body: dict[str, Any], url: object) -> Violation:
    """A Reporting API ``csp-violation`` report's body (camelCase fields)."""
    return Violation(
        directive=_text(body.get("effectiveDirective")),
        blocked=_without_query(body.get("blockedURL")),
        document_path=_path_only(body.get("documentURL") or url),
        source=_without_query(body.get("sourceFile")),
        line=_line(body.get("lineNumber")),
        disposition=_text(body.get("disposition")) or "enforce",
    )


def violations_from(raw: bytes, content_type: str) -> list[Violation]:
    """The violations a report body holds; MalformedReport when it is not of the declared type."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedReport("not JSON") from error
    if content_type == "application/csp-report":
        report = data.get("csp-report") if isinstance(data, dict) else None
        if not isinstance(report, dict):
            raise MalformedReport("no csp-report object")
        return [_from_csp_report(report)]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise MalformedReport("not a list of reports")
    # The Reporting API batches reports of every type; only CSP violations concern us.
    return [
        _from_reporting_api(item["body"], item.get("url"))
        for item in data
        if item.get("type") == "csp-violation" and isinstance(item.get("body"), dict)
    ]
