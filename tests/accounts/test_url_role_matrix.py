"""Every URL pattern × every role gets the expected answer.

Each named URL pattern must have a row in ROUTES (a new view without one fails the
suite), saying how to request it and what each role gets. The default expectation
follows the view's access declaration: a public view answers `ok` to everyone; a view
for some roles sends anonymous visitors to sign in, answers 403 to the other roles and
`ok` to its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from civiquest.accounts.access import PUBLIC, sign_in_url_for, view_access
from civiquest.accounts.models import Role, Service, ServiceKind, ServiceMembership, ServiceRole
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, login_verified

ROLES = ["anonymous", "citizen", "agent", "manager", "staff"]
ROLE_OF = {"citizen": Role.CITIZEN, "agent": Role.AGENT, "manager": Role.AGENT, "staff": Role.STAFF}
# The JSON API checks access per operation: tests/core/test_api_access.py.
FOREIGN_PREFIXES = ("django-admin/", "i18n/", "api/v1/")


@dataclass(frozen=True)
class Route:
    kwargs: dict[str, Any] = field(default_factory=dict)
    method: str = "get"
    ok: int = 200
    # Per-role answers that differ from what the access declaration implies.
    overrides: dict[str, int] = field(default_factory=dict)


STEP = {"procedure_id": 999999, "step_id": 999999}
FIELD = {**STEP, "field_id": 999999}
QUEST = {"quest_id": 999999}

ROUTES: dict[str, Route] = {
    # Integrations (issue 6).
    "citizen:address-suggestions": Route(),
    "citizen:commune-suggestions": Route(),
    "citizen:moving": Route(),
    "citizen:moving-quest": Route(kwargs=QUEST, ok=404),
    "citizen:moving-refresh": Route(kwargs=QUEST, method="post", ok=404),
    "citizen:moving-retry": Route(kwargs={**QUEST, "organisation": "caf"}, method="post", ok=404),
    "sandbox:moving-declarations": Route(kwargs={"organisation": "caf"}, method="post", ok=401),
    "sandbox:moving-declaration": Route(kwargs={"organisation": "caf", "remote_id": "CAF-X"}, ok=401),
    "agent:appointments": Route(),
    "agent:notifications": Route(),
    "agent:meeting-point-create": Route(kwargs={"service_id": 999999}, ok=404),
    "agent:meeting-point": Route(kwargs={"point_id": 999999}, ok=404),
    "agent:meeting-point-edit": Route(kwargs={"point_id": 999999}, ok=404),
    "agent:slots-publish": Route(kwargs={"point_id": 999999}, ok=404),
    "agent:slot-cancel": Route(kwargs={"slot_id": 999999}, method="post", ok=404),
    "agent:appointment-cancel": Route(kwargs={"appointment_id": 999999}, ok=404),
    "ants:managed-meeting-points": Route(ok=401),
    "ants:available-time-slots": Route(ok=401),
    "ants:search-application-ids": Route(ok=401),
    "citizen:appointment-quest-book": Route(kwargs=QUEST, method="post", ok=404),
    "citizen:appointment-quest-cancel": Route(kwargs=QUEST, method="post", ok=404),
    "citizen:appointment-book": Route(kwargs={"slot_id": 999999}, ok=404),
    "citizen:appointment-manage": Route(kwargs={"token": "nope"}, ok=404),
    "citizen:appointment-cancel": Route(kwargs={"token": "nope"}, method="post", ok=404),
    "citizen:appointment-confirmation": Route(kwargs={"appointment_id": 999999}, ok=404),
    "citizen:appointment-ics": Route(kwargs={"appointment_id": 999999}, ok=404),
    "citizen:appointment-cancel-confirm": Route(kwargs={"appointment_id": 999999}, ok=404),
    "sandbox:ants-status": Route(ok=401),
    "sandbox:ants-appointments": Route(method="post", ok=401),
    "citizen:tax-simulator": Route(),
    "sandbox:ban-search": Route(ok=400),
    "sandbox:ban-reverse": Route(ok=400),
    "sandbox:dgfip-situation-ir": Route(kwargs={"year": 2024}, ok=401),
    "staff:membership-revoke": Route(kwargs={"membership_id": 999999}, method="post", ok=404),
    "agent:bulk": Route(method="post", ok=302),
    "agent:quest": Route(kwargs=QUEST, ok=404),
    "agent:quest-action": Route(kwargs=QUEST, method="post", ok=404),
    "agent:quest-message": Route(kwargs=QUEST, method="post", ok=404),
    "agent:quest-note": Route(kwargs=QUEST, method="post", ok=404),
    "agent:quest-follow": Route(kwargs=QUEST, method="post", ok=404),
    "agent:notifications-digest": Route(method="post", ok=302),
    "agent:quest-labels": Route(kwargs=QUEST, method="post", ok=404),
    "agent:quest-document": Route(kwargs={**QUEST, "document_id": 999999}, ok=404),
    "agent:message-attachment": Route(kwargs={**QUEST, "message_id": 999999}, ok=404),
    "agent:quest-attestation": Route(kwargs=QUEST, ok=404),
    # Expert opinions (issue 21): an expert reaches only the requests addressed to them.
    "agent:quest-opinion": Route(kwargs=QUEST, method="post", ok=404),
    "agent:opinions": Route(),
    "agent:opinion": Route(kwargs={"opinion_id": 999999}, ok=404),
    "agent:export": Route(),
    # Issue 21: exports built in the background; another agent's (or a missing) one is a 404.
    "agent:export-jobs": Route(),
    "agent:export-job-download": Route(kwargs={"public_id": "00000000-0000-4000-8000-000000000000"}, ok=404),
    # The services' API tokens (issue 21).
    "agent:api-tokens": Route(),
    "agent:api-token-new": Route(),
    "agent:api-token": Route(kwargs={"token_id": 999999}, ok=404),
    "agent:api-token-revoke": Route(kwargs={"token_id": 999999}, method="post", ok=404),
    "citizen:quest-messages": Route(kwargs=QUEST, ok=404),
    "citizen:quest-attestation": Route(kwargs=QUEST, ok=404),
    "citizen:quest-message-attachment": Route(kwargs={**QUEST, "message_id": 999999}, ok=404),
    "citizen:attestation-verify": Route(),
    "citizen:assistant": Route(),
    # Anyone may ask the assistant (issue 17); a signed-in citizen is sent to their own chat, which keeps a history.
    "citizen:assistant-visitor": Route(overrides={"citizen": 302}),
    "citizen:assistant-visitor-stream": Route(method="post", ok=400),  # an empty question, for every role
    "citizen:assistant-stream": Route(method="post", ok=400),  # an empty question
    "citizen:assistant-conversation": Route(kwargs={"conversation_id": 999999}, ok=404),
    "citizen:assistant-feedback": Route(kwargs={"message_id": 999999}, method="post", ok=404),
    "staff:assistant-stats": Route(),
    # Recommendation rules (issue 18).
    "staff:recommendation-rules": Route(),
    "staff:recommendation-rule": Route(kwargs={"code": "inexistante"}, ok=404),
    "citizen:progress": Route(),
    "staff:citizen-ledger": Route(kwargs={"user_id": 999999}, ok=404),
    "staff:xp-entry-revoke": Route(kwargs={"user_id": 999999, "entry_id": 999999}, method="post", ok=404),
    "citizen:habits": Route(),
    "citizen:avatar": Route(),
    "citizen:habit-adopt": Route(method="post", ok=404),
    "citizen:habit-checkin": Route(kwargs={"habit_id": 999999}, method="post", ok=404),
    "citizen:habit-drop": Route(kwargs={"habit_id": 999999}, method="post", ok=404),
    "citizen:habits-pause": Route(method="post", ok=400),
    "citizen:habits-reminders": Route(method="post", ok=302),
    "citizen:game-preferences": Route(method="post", ok=302),
    "citizen:display-choice": Route(),
    # Recommendations (issue 18): an empty declaration is refused, unknown ids and slugs are 404.
    "citizen:todo": Route(),
    "citizen:life-event-declare": Route(method="post", ok=400),
    "citizen:life-event-remove": Route(kwargs={"event_id": 999999}, method="post", ok=302),
    "citizen:recommendations-similar": Route(method="post", ok=302),
    "citizen:recommendation-restore": Route(kwargs={"slug": "inconnue"}, method="post", ok=404),
    "citizen:recommendation-answer": Route(
        kwargs={"slug": "inconnue", "answer": "pas-pour-moi"}, method="post", ok=404
    ),
    # Sharing and circles (issue 19): unknown links, shares and circles are 404 for everyone.
    "citizen:share-public": Route(kwargs={"token": "inconnu"}, ok=404),
    "citizen:shares": Route(),
    "citizen:share-create": Route(),
    "citizen:share-revoke": Route(kwargs={"share_id": 999999}, method="post", ok=404),
    "citizen:circles": Route(),
    "citizen:circle-pseudonym": Route(method="post", ok=400),
    "citizen:circle-create": Route(method="post", ok=400),
    "citizen:circle-join": Route(kwargs={"token": "inconnu"}, ok=404),
    "citizen:circle": Route(kwargs={"circle_id": 999999}, ok=404),
    "citizen:circle-invite": Route(kwargs={"circle_id": 999999}, method="post", ok=404),
    "citizen:circle-visibility": Route(kwargs={"circle_id": 999999}, method="post", ok=404),
    "citizen:circle-leave": Route(kwargs={"circle_id": 999999}, method="post", ok=404),
    "citizen:circle-member-remove": Route(
        kwargs={"circle_id": 999999, "membership_id": 999999}, method="post", ok=404
    ),
    "citizen:circle-delete": Route(kwargs={"circle_id": 999999}, method="post", ok=404),
    # Entraide moderation (issue 19): unknown posts are 404 to the role that may see them.
    "citizen:report-question": Route(kwargs={"post_id": 999999}, ok=404),
    "citizen:report-answer": Route(kwargs={"post_id": 999999}, method="post", ok=404),
    "citizen:moderation-charter": Route(),
    "citizen:moderation-decisions": Route(),
    "staff:moderation-queue": Route(),
    "staff:moderation-question": Route(kwargs={"post_id": 999999}, ok=404),
    "staff:moderation-answer": Route(kwargs={"post_id": 999999}, method="post", ok=404),
    # Entraide (issue 19): unknown procedures, questions and answers are 404 (a pending post of
    # someone else too: tests/social/test_entraide_views.py).
    "citizen:entraide-pseudonym": Route(),
    "citizen:entraide-procedure": Route(kwargs={"slug": "inexistante"}, ok=404),
    "citizen:entraide-ask": Route(kwargs={"slug": "inexistante"}, ok=404),
    "citizen:entraide-question": Route(kwargs={"question_id": 999999}, ok=404),
    "citizen:entraide-answer": Route(kwargs={"question_id": 999999}, method="post", ok=404),
    "citizen:entraide-vote": Route(kwargs={"answer_id": 999999}, method="post", ok=404),
    "citizen:entraide-accept": Route(kwargs={"answer_id": 999999}, method="post", ok=404),
    "staff:builder-procedures": Route(),
    "staff:builder-procedure-create": Route(),
    "staff:services": Route(),
    "staff:audit-log": Route(),
    "staff:audit-export": Route(),
    "staff:service-edit": Route(kwargs={"service_id": 999999}, ok=404),
    "staff:builder-procedure": Route(kwargs={"procedure_id": 999999}, ok=404),
    "staff:builder-procedure-edit": Route(kwargs={"procedure_id": 999999}, ok=404),
    "staff:builder-preview": Route(kwargs={"procedure_id": 999999}, ok=404),
    "staff:builder-overview": Route(kwargs={"procedure_id": 999999}, ok=404),
    "staff:builder-step-create": Route(kwargs={"procedure_id": 999999}, ok=404),
    "staff:builder-draft": Route(kwargs={"procedure_id": 999999}, method="post", ok=404),
    "staff:builder-rewards": Route(kwargs={"procedure_id": 999999}, method="post", ok=404),
    "staff:builder-needs": Route(kwargs={"procedure_id": 999999}, method="post", ok=404),
    "staff:builder-publish": Route(kwargs={"procedure_id": 999999}, method="post", ok=404),
    "staff:builder-close": Route(kwargs={"procedure_id": 999999}, method="post", ok=404),
    "staff:builder-step": Route(kwargs=STEP, ok=404),
    "staff:builder-field-create": Route(kwargs=STEP, ok=404),
    "staff:builder-step-move": Route(kwargs=STEP, method="post", ok=404),
    "staff:builder-step-delete": Route(kwargs=STEP, method="post", ok=404),
    "staff:builder-field": Route(kwargs=FIELD, ok=404),
    "staff:builder-field-move": Route(kwargs=FIELD, method="post", ok=404),
    "staff:builder-field-delete": Route(kwargs=FIELD, method="post", ok=404),
    "sandbox:llm-models": Route(),
    "sandbox:llm-chat-completions": Route(method="post", ok=400),  # an empty body is invalid JSON
    "citizen:home": Route(),
    "citizen:dashboard": Route(),
    "citizen:profile": Route(),
    "citizen:notifications": Route(),
    "citizen:documents": Route(),
    "citizen:document-upload": Route(),
    "citizen:document-delete": Route(kwargs={"document_id": 999999}, method="post", ok=404),
    "citizen:document-download": Route(kwargs={"document_id": 999999}, ok=404),
    "citizen:catalogue": Route(),
    "citizen:procedure": Route(kwargs={"slug": "inexistante"}, ok=404),
    "citizen:title-renew": Route(kwargs={"title": "inexistant"}, ok=404),
    "citizen:quest-start": Route(kwargs={"slug": "inexistante"}, method="post", ok=404),
    "citizen:quests": Route(),
    "citizen:quest": Route(kwargs={"quest_id": 999999}, ok=404),
    "citizen:quest-step": Route(kwargs={"quest_id": 999999, "step_slug": "etape"}, ok=404),
    "citizen:quest-review": Route(kwargs={"quest_id": 999999}, ok=404),
    "citizen:quest-submit": Route(kwargs={"quest_id": 999999}, method="post", ok=404),
    "agent:home": Route(),
    "staff:home": Route(),
    "staff:agents": Route(),
    "staff:invitation-revoke": Route(kwargs={"invitation_id": 999999}, method="post", ok=404),
    "accounts:login": Route(overrides={"citizen": 302, "agent": 302, "manager": 302, "staff": 302}),
    "accounts:logout": Route(method="post", ok=302),
    "accounts:after-login": Route(ok=302),
    # The TOTP steps of the staff sign-in: without a pending sign-in, back to the password.
    "accounts:otp-verify": Route(ok=302),
    "accounts:otp-enrol": Route(ok=302),
    "healthz": Route(),
    "readyz": Route(),
    "footer-accessibility-status": Route(),
    "footer-legal-notice": Route(),
    "footer-personal-data": Route(),
    "footer-personal-data-moved": Route(ok=301),
    # RGPD rights (issue 15).
    "citizen:privacy": Route(),
    "citizen:privacy-export": Route(),
    "citizen:privacy-export-download": Route(kwargs={"public_id": "00000000-0000-4000-8000-000000000000"}, ok=404),
    "citizen:privacy-erase": Route(),
    "citizen:privacy-erased": Route(),
    "csp-report": Route(method="post", ok=415),  # a form body is not a report
    "footer-sitemap": Route(),
    "oidc:franceconnect": Route(),
    "oidc:proconnect": Route(),
    "oidc:franceconnect-start": Route(ok=302),
    "oidc:proconnect-start": Route(ok=302),
    "oidc:franceconnect-callback": Route(ok=400),
    "oidc:proconnect-callback": Route(ok=400),
    "oidc:consent": Route(ok=302),
    "oidc:logout": Route(method="post", ok=302),
    "oidc:logout-callback": Route(ok=400),
    "sandbox:franceconnect-discovery": Route(),
    "sandbox:franceconnect-jwks": Route(),
    "sandbox:franceconnect-authorize": Route(ok=400),
    "sandbox:franceconnect-login": Route(ok=405),
    "sandbox:franceconnect-token": Route(method="post", ok=401),
    "sandbox:franceconnect-userinfo": Route(ok=401),
    "sandbox:franceconnect-session-end": Route(ok=400),
    "sandbox:proconnect-discovery": Route(),
    "sandbox:proconnect-jwks": Route(),
    "sandbox:proconnect-authorize": Route(ok=400),
    "sandbox:proconnect-login": Route(ok=405),
    "sandbox:proconnect-token": Route(method="post", ok=401),
    "sandbox:proconnect-userinfo": Route(ok=401),
    "sandbox:proconnect-session-end": Route(ok=400),
    # Trusted helpers under a mandate (issue 19); who sees what: tests/social/test_mandates_matrix.py.
    "citizen:mandates": Route(),
    "citizen:mandate-new": Route(),
    "citizen:mandate-revoke": Route(kwargs={"mandate_id": 999999}, method="post", ok=404),
    "citizen:mandate-journal": Route(kwargs={"mandate_id": 999999}, ok=404),
    "citizen:helper-space": Route(),
    "citizen:helper-code": Route(method="post", ok=302),
    "citizen:helper-document": Route(kwargs={"document_id": 999999}, ok=404),
    "citizen:structure-mandates": Route(kwargs={"structure_id": 999999}, ok=404),
    "staff:structures": Route(),
    "staff:structure": Route(kwargs={"structure_id": 999999}, ok=404),
    "staff:structure-member-add": Route(kwargs={"structure_id": 999999}, method="post", ok=404),
}


def named_patterns(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), (f"{namespace}{entry.name}" if entry.name else None), entry


def expected_status(url_name: str, role: str) -> int:
    route = ROUTES[url_name]
    if role in route.overrides:
        return route.overrides[role]
    declared = view_access(resolve(reverse(url_name, kwargs=route.kwargs)).func)
    if declared == PUBLIC:
        return route.ok
    assert isinstance(declared, frozenset)
    if role == "anonymous":
        return 302
    return route.ok if ROLE_OF[role] in declared else 403


def make_user(role: str):
    if role == "anonymous":
        return None
    if role == "citizen":
        return CitizenFactory()
    if role == "staff":
        return StaffFactory()
    user = AgentFactory()
    service = Service.objects.create(name="Mairie de Nouméa", kind=ServiceKind.MAIRIE)
    membership_role = ServiceRole.MANAGER if role == "manager" else ServiceRole.INSTRUCTOR
    ServiceMembership.objects.create(user=user, service=service, role=membership_role)
    return user


def test_every_url_pattern_has_a_rule():
    missing = [
        route
        for route, name, _pattern in named_patterns(get_resolver().url_patterns)
        if not route.startswith(FOREIGN_PREFIXES) and (name is None or name not in ROUTES)
    ]
    assert missing == [], "Add these URL patterns to ROUTES in tests/accounts/test_url_role_matrix.py"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(ROUTES))
def test_url_answers_each_role_as_expected(client, db, url_name, role):
    user = make_user(role)
    if user is not None:
        login_verified(client, user)
    route = ROUTES[url_name]
    url = reverse(url_name, kwargs=route.kwargs)
    response = getattr(client, route.method)(url)
    expected = expected_status(url_name, role)
    assert response.status_code == expected, f"{route.method.upper()} {url} as {role}"
    declared = view_access(resolve(url).func)
    if expected == 302 and role == "anonymous" and declared != PUBLIC:
        # Each audience is sent to its own sign-in: FranceConnect, ProConnect, or password and code.
        assert response["Location"].startswith(reverse(sign_in_url_for(declared)))
