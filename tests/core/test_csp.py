"""The content security policy on every response, and the view that collects its violation reports."""

from __future__ import annotations

import copy
import json
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db

REPORT_URL = "/csp-report"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_a_page_gets_the_policy_scripts_from_self_with_a_nonce_and_nothing_inline(client):
    response = client.get(reverse("citizen:home"))
    policy = directives(response)

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["report-uri"] == [REPORT_URL]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_each_response_has_its_own_nonce(client):
    first = directives(client.get(reverse("citizen:home")))["script-src"]
    second = directives(client.get(reverse("citizen:home")))["script-src"]
    assert first != second


def test_pages_carry_no_inline_script_style_or_event_handler(client):
    """What the policy would block must not be in our pages in the first place."""
    client.force_login(CitizenFactory())
    for name in ("citizen:home", "citizen:dashboard", "citizen:catalogue", "oidc:franceconnect", "accounts:login"):
        html = client.get(reverse(name)).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], name
        assert "<style" not in html, name
        assert re.findall(r"\son[a-z]+=", html) == [], name
        assert re.findall(r"\sstyle=", html) == [], name


def test_form_action_allows_the_identity_providers_origins_where_sign_in_redirects(client, settings):
    providers = copy.deepcopy(settings.OIDC_PROVIDERS)
    providers["franceconnect"]["DISCOVERY_URL"] = (
        "https://oidc.franceconnect.gouv.fr/api/v2/.well-known/openid-configuration"
    )
    providers["proconnect"]["DISCOVERY_URL"] = (
        "https://auth.proconnect.gouv.fr/api/v2/.well-known/openid-configuration"
    )
    for values in providers.values():
        values["REDIRECT_URI"] = "https://civiquest.example.gouv.fr/compte/connexion/retour/"
        values["POST_LOGOUT_REDIRECT_URI"] = "https://civiquest.example.gouv.fr/compte/deconnexion/retour/"
    settings.OIDC_PROVIDERS = providers

    policy = directives(client.get(reverse("oidc:franceconnect")))

    assert policy["form-action"] == [
        "'self'",
        "https://oidc.franceconnect.gouv.fr",
        "https://civiquest.example.gouv.fr",
        "https://auth.proconnect.gouv.fr",
    ]


@pytest.mark.parametrize(("path", "status"), [("/page-inexistante/", 404), ("/agent/", 403)])
def test_error_pages_and_redirects_get_the_policy_too(client, path, status):
    client.force_login(CitizenFactory())
    response = client.get(path)
    assert response.status_code == status
    assert directives(response)["script-src"][0] == "'self'"


def test_a_body_refused_before_it_is_read_gets_the_policy_too(client):
    response = client.generic(
        "POST", reverse("citizen:home"), b"", content_type="text/plain", CONTENT_LENGTH=str(500 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert directives(response)["object-src"] == ["'none'"]


# --- The violation reports ------------------------------------------------------------------

CSP_REPORT = {
    "csp-report": {
        "document-uri": "https://civiquest.example.gouv.fr/compte/connexion/franceconnect/retour/?code=SECRET&state=S",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "disposition": "enforce",
        "blocked-uri": "https://evil.example/x.js?token=SECRET#frag",
        "line-number": 12,
        "source-file": "https://civiquest.example.gouv.fr/static/app.js?v=SECRET",
        "status-code": 200,
        "script-sample": "",
    }
}
REPORTS_JSON = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://civiquest.example.gouv.fr/mon-espace/?q=SECRET",
        "user_agent": "Chrome",
        "body": {
            "documentURL": "https://civiquest.example.gouv.fr/mon-espace/?q=SECRET",
            "effectiveDirective": "script-src-elem",
            "blockedURL": "inline",
            "disposition": "enforce",
            "sourceFile": "https://civiquest.example.gouv.fr/mon-espace/",
            "lineNumber": 3,
            "statusCode": 200,
            "sample": "",
        },
    },
    {"type": "deprecation", "age": 1, "url": "https://civiquest.example.gouv.fr/", "body": {"id": "x"}},
]


def csp_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "civiquest.csp"]


def test_a_report_uri_report_is_logged_without_query_strings(caplog):
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="civiquest.csp"):
        response = client.post(REPORT_URL, json.dumps(CSP_REPORT), content_type="application/csp-report")

    assert response.status_code == 204
    [record] = csp_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.csp_directive == "script-src-elem"
    assert record.csp_blocked == "https://evil.example/x.js"
    assert record.csp_document_path == "/compte/connexion/franceconnect/retour/"
    assert record.csp_source == "https://civiquest.example.gouv.fr/static/app.js"
    assert record.csp_line == 12
    assert record.csp_disposition == "enforce"
    assert "SECRET" not in record.getMessage()
    assert "SECRET" not in json.dumps({key: value for key, value in vars(record).items() if key.startswith("csp_")})


def test_a_reporting_api_batch_logs_its_csp_violations_only(client, caplog):
    with caplog.at_level(logging.WARNING, logger="civiquest.csp"):
        response = client.post(REPORT_URL, json.dumps(REPORTS_JSON), content_type="application/reports+json")

    assert response.status_code == 204
    [record] = csp_records(caplog)
    assert record.csp_blocked == "inline"
    assert record.csp_document_path == "/mon-espace/"
    assert record.getMessage() == "CSP violation: script-src-elem blocked inline on /mon-espace/"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/csp-report"),
        (b"\xff\xfe", "application/reports+json"),
        (b'{"csp-report": "text"}', "application/csp-report"),
        (b'{"type": "csp-violation"}', "application/reports+json"),
        (b"[1, 2]", "application/reports+json"),
    ],
)
def test_a_malformed_report_is_a_400_with_a_translated_message(client, caplog, body, content_type):
    response = client.post(REPORT_URL, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"detail": "Ce rapport de violation est illisible."}
    assert csp_records(caplog) == []


def test_another_content_type_is_refused(client):
    response = client.post(REPORT_URL, json.dumps(CSP_REPORT), content_type="application/json")
    assert response.status_code == 415
    assert response.json() == {"detail": "Ce type de rapport n’est pas accepté."}


def test_only_post_is_accepted(client):
    assert client.get(REPORT_URL).status_code == 405


def test_a_large_report_is_refused_unread(client, settings, caplog):
    settings.CIVIQUEST_CSP_REPORT_MAX_BYTES = 1024
    report = copy.deepcopy(CSP_REPORT)
    report["csp-report"]["script-sample"] = "x" * 2000
    response = client.post(REPORT_URL, json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 413
    assert csp_records(caplog) == []


def test_long_fields_are_cut_short(client, caplog):
    report = copy.deepcopy(CSP_REPORT)
    report["csp-report"]["effective-directive"] = "d" * 5000
    with caplog.at_level(logging.WARNING, logger="civiquest.csp"):
        client.post(REPORT_URL, json.dumps(report), content_type="application/csp-report")
    [record] = csp_records(caplog)
    assert len(record.csp_directive) == 300


def test_reports_are_rate_limited_per_client_address(settings, caplog):
    settings.CIVIQUEST_CSP_REPORT_RATE_LIMIT = 3
    body = json.dumps(CSP_REPORT)
    one, other = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    with caplog.at_level(logging.WARNING, logger="civiquest.csp"):
        responses = [one.post(REPORT_URL, body, content_type="application/csp-report") for _ in range(5)]
        statuses = [response.status_code for response in responses]
        other_status = other.post(REPORT_URL, body, content_type="application/csp-report").status_code

    assert statuses == [204, 204, 204, 429, 429]
    assert responses[3]["Retry-After"] in ("59", "60")
    assert other_status == 204
    assert len(csp_records(caplog)) == 4
