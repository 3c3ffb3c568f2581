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
    Page("agent:export", role="agent"),
    Page("citizen:attestation-verify"),
    Page("citizen:assistant", role="citizen"),
    Page("staff:assistant-stats", role="staff"),
    Page("citizen:progress", role="citizen"),
    Page("citizen:habits", role="citizen"),
    Page("citizen:avatar", role="citizen"),
    Page("staff:builder-procedures", role="staff"),
    Page("staff:builder-procedure-create", role="staff"),
    Page("staff:services", role="staff"),
    Page("staff:audit-log", role="staff"),
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
    # Integrations (issue 6).
    Page("citizen:moving", role="citizen"),
    Page("agent:appointments", role="agent"),
    Page("agent:notifications", role="agent"),
    Page("citizen:tax-simulator", role="citizen"),
]

# Routes that are not pages a person reads, with the reason.
AGENT_APPOINTMENTS = "needs a meeting point or appointment of the agent's mairie: axe in test_agent_appointments.py"
HABITS_ACTION = "POST-only action, answers with a redirect (states scanned in test_habits_pages.py)"

NOT_PAGES = {
    "sandbox:ban-search": "BAN geocoder sandbox: JSON API (Géoplateforme /geocodage/search)",
    "sandbox:ban-reverse": "BAN geocoder sandbox: JSON API (Géoplateforme /geocodage/reverse)",
    "sandbox:dgfip-situation-ir": "DGFiP sandbox: JSON API, Bearer required (401 without)",
    "citizen:address-suggestions": "htmx fragment: combobox options (scanned open in test_address_field.py)",
    "citizen:moving-quest": "needs a changement-adresse quest: axe in tests/a11y/test_address_field.py",
    "citizen:moving-refresh": "POST only, answers with a redirect",
    "citizen:moving-retry": "POST only, answers with a redirect",
    "sandbox:moving-declarations": "moving-house sandbox: POST-only JSON API",
    "sandbox:moving-declaration": "moving-house sandbox: JSON status",
    "agent:meeting-point-create": AGENT_APPOINTMENTS,
    "agent:meeting-point": AGENT_APPOINTMENTS,
    "agent:meeting-point-edit": AGENT_APPOINTMENTS,
    "agent:slots-publish": AGENT_APPOINTMENTS,
    "agent:appointment-cancel": AGENT_APPOINTMENTS,
    "agent:slot-cancel": "POST only, answers with a redirect",
    "ants:managed-meeting-points": "JSON for ANTS, token-authenticated",
    "ants:available-time-slots": "JSON for ANTS, token-authenticated",
    "ants:search-application-ids": "JSON for ANTS, token-authenticated",
    "citizen:appointment-quest-book": "POST only, redirects to the appointment step",
    "citizen:appointment-quest-cancel": "POST only, redirects to the appointment step",
    "citizen:appointment-book": "needs a published slot: axe in tests/a11y/test_passport_appointment.py",
    "citizen:appointment-manage": "needs an appointment's token: axe in tests/a11y/test_passport_appointment.py",
    "citizen:appointment-cancel": "POST only, redirects to the management page",
    "sandbox:ants-status": "JSON API of the ANTS coordination sandbox",
    "sandbox:ants-appointments": "JSON API (POST/DELETE) of the ANTS coordination sandbox",
    "staff:membership-revoke": "POST-only action, answers with a redirect",
    "agent:bulk": "POST only, redirects to the inbox",
    "agent:quest": "needs a quest of the agent's service: axe in tests/a11y/test_agent_pages.py",
    "agent:quest-action": "POST only; its error state is rendered as agent:quest",
    "agent:quest-message": "POST only, answers with a redirect",
    "agent:quest-note": "POST only, answers with a redirect",
    "agent:quest-labels": "POST only, answers with a redirect",
    "agent:quest-document": "file download (inline for the viewer)",
    "agent:message-attachment": "file download",
    "agent:quest-attestation": "PDF download",
    "citizen:quest-attestation": "PDF download",
    "citizen:quest-message-attachment": "file download",
    "citizen:quest-messages": "needs a submitted quest: axe in tests/a11y/test_agent_pages.py",
    "citizen:assistant-stream": "server-sent event stream of the chat form (POST only)",
    "citizen:assistant-feedback": "POST only (thumbs up/down), answers a redirect or an htmx fragment",
    "citizen:assistant-conversation": "needs the citizen's own conversation: scanned in test_assistant_pages.py",
    "staff:citizen-ledger": "needs a citizen with a ledger: scanned in tests/a11y/test_progress_pages.py",
    "staff:xp-entry-revoke": "POST only (revoke an XP line); its error page is scanned in test_progress_pages.py",
    "citizen:habit-adopt": HABITS_ACTION,
    "citizen:habit-checkin": HABITS_ACTION,
    "citizen:habit-drop": HABITS_ACTION,
    "citizen:habits-pause": HABITS_ACTION,
    "citizen:habits-reminders": HABITS_ACTION,
    "citizen:game-preferences": HABITS_ACTION,
    "staff:builder-procedure": "needs a procedure; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:builder-procedure-edit": "needs a procedure; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:builder-preview": "needs a procedure; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:builder-overview": "needs a procedure; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:builder-step-create": "needs a draft; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:builder-step": "needs a draft step; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:builder-field-create": "needs a form step; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:builder-field": "needs a field; axe via the field form in tests/a11y/test_staff_builder_pages.py",
    "staff:service-edit": "needs a service; axe in tests/a11y/test_staff_builder_pages.py",
    "staff:audit-export": "CSV download, not a page",
    "staff:builder-draft": "POST-only action, answers with a redirect",
    "staff:builder-rewards": "POST-only action, answers with a redirect",
    "staff:builder-publish": "POST-only action, answers with a redirect",
    "staff:builder-close": "POST-only action, answers with a redirect",
    "staff:builder-step-move": "POST-only action, answers with a redirect",
    "staff:builder-step-delete": "POST-only action, answers with a redirect",
    "staff:builder-field-move": "POST-only action, answers with a redirect",
    "staff:builder-field-delete": "POST-only action, answers with a redirect",
    "sandbox:llm-models": "LLM sandbox: JSON model list (OpenAI-compatible)",
    "sandbox:llm-chat-completions": "LLM sandbox: POST-only chat completions (JSON / SSE)",
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
