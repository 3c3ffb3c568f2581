"""The pages the accessibility scan visits, per URL name, as the role that can see them.

Every named URL pattern of the project must be here or in NOT_PAGES, so a new page
cannot escape the scan (see test_every_url_pattern_is_scanned).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    url_name: str
    role: str | None = None  # None: anonymous visitor
    kwargs: dict[str, object] = field(default_factory=dict)
    expected_status: int = 200

    @property
    def id(self) -> str:
        return f"{self.url_name}[{self.role or 'anonymous'}]"


PAGES = [
    Page("citizen:home"),
    Page("citizen:home", role="citizen"),
    Page("citizen:dashboard", role="citizen"),
    Page("citizen:profile", role="citizen"),
    Page("citizen:notifications", role="citizen"),
    Page("citizen:documents", role="citizen"),
    Page("citizen:document-upload", role="citizen"),
    Page("citizen:catalogue"),
    Page("citizen:catalogue", role="citizen"),
    Page("citizen:quests", role="citizen"),
    Page("accounts:login"),
    Page("footer-accessibility-status"),
    Page("footer-legal-notice"),
    Page("footer-personal-data"),
    Page("footer-sitemap"),
    Page("agent:home", role="agent"),
    Page("staff:home", role="staff"),
    Page("staff:home", role="superuser"),
    Page("staff:agents", role="staff"),
    Page("oidc:franceconnect"),
    Page("oidc:proconnect"),
    Page("oidc:logout-callback", expected_status=400),
    Page("sandbox:franceconnect-authorize", expected_status=400),
    Page("sandbox:proconnect-authorize", expected_status=400),
]

# Routes that are not pages a person reads, with the reason.
NOT_PAGES = {
    "healthz": "JSON liveness probe",
    "readyz": "JSON readiness probe",
    "accounts:logout": "POST-only sign-out, answers with a redirect",
    "accounts:after-login": "redirects to the portal of the signed-in user",
    "staff:invitation-revoke": "POST-only action, answers with a redirect",
    "citizen:document-delete": "POST-only action, answers with a redirect",
    "citizen:document-download": "file download (attachment), not a page",
    "citizen:procedure": "scanned in test_quest_pages.py",
    "citizen:quest": "scanned in test_quest_pages.py",
    "citizen:quest-step": "scanned in test_quest_pages.py",
    "citizen:quest-review": "scanned in test_quest_pages.py",
    "citizen:quest-start": "POST-only: starts a quest, answers with a redirect",
    "citizen:quest-submit": "POST-only: submits a quest, answers with a redirect",
    "accounts:otp-verify": "scanned in test_staff_sign_in_pages.py",
    "accounts:otp-enrol": "scanned in test_staff_sign_in_pages.py",
    "oidc:franceconnect-start": "POST-only: starts a sign-in, answers with a redirect to FranceConnect",
    "oidc:proconnect-start": "POST-only: starts a sign-in, answers with a redirect to ProConnect",
    "oidc:franceconnect-callback": "scanned in test_sign_in_flows.py",
    "oidc:proconnect-callback": "scanned in test_sign_in_flows.py",
    "oidc:consent": "scanned in test_sign_in_flows.py",
    "oidc:logout": "POST-only sign-out, answers with a redirect",
    "sandbox:franceconnect-discovery": "sandbox provider: JSON discovery document",
    "sandbox:franceconnect-login": "sandbox provider: POST-only identity choice, answers with a redirect",
    "sandbox:franceconnect-token": "sandbox provider: POST-only token endpoint (JSON)",
    "sandbox:franceconnect-userinfo": "sandbox provider: userinfo as a signed JWT",
    "sandbox:franceconnect-jwks": "sandbox provider: JSON key set",
    "sandbox:franceconnect-session-end": "sandbox provider: redirects back; its error page is the authorize one",
    "sandbox:proconnect-discovery": "sandbox provider: JSON discovery document",
    "sandbox:proconnect-login": "sandbox provider: POST-only identity choice, answers with a redirect",
    "sandbox:proconnect-token": "sandbox provider: POST-only token endpoint (JSON)",
    "sandbox:proconnect-userinfo": "sandbox provider: userinfo as a signed JWT",
    "sandbox:proconnect-jwks": "sandbox provider: JSON key set",
    "sandbox:proconnect-session-end": "sandbox provider: redirects back; its error page is the authorize one",
}

# Whole URL trees that are not ours: Django's admin (superusers only, maintenance tool,
# stated as exempt in the accessibility statement) and Django's set_language (POST).
# The JSON API checks access per operation: tests/core/test_api_access.py.
FOREIGN_PREFIXES = ("django-admin/", "i18n/", "api/v1/")
