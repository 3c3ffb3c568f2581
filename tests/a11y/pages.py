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
    Page("accounts:login"),
    Page("footer-accessibility-status"),
    Page("footer-legal-notice"),
    Page("footer-personal-data"),
    Page("footer-sitemap"),
    Page("agent:home", role="agent"),
    Page("staff:home", role="staff"),
    Page("staff:home", role="superuser"),
    Page("staff:agents", role="staff"),
]

# Routes that are not pages a person reads, with the reason.
NOT_PAGES = {
    "healthz": "JSON liveness probe",
    "readyz": "JSON readiness probe",
    "accounts:logout": "POST-only sign-out, answers with a redirect",
    "accounts:after-login": "redirects to the portal of the signed-in user",
    "staff:invitation-revoke": "POST-only action, answers with a redirect",
}

# Whole URL trees that are not ours: Django's admin (superusers only, maintenance tool,
# stated as exempt in the accessibility statement) and Django's set_language (POST).
FOREIGN_PREFIXES = ("django-admin/", "i18n/")
