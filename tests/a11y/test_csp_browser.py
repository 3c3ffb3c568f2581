"""The content security policy in chromium: injected code does not run, sign-in still crosses origins.

Every browser test fails on a violation (tests/a11y/conftest.py, ``browser_page_as``); the tests
here provoke some on purpose, check what chromium did, then clear them.
"""

from __future__ import annotations

import logging
import re
import time

import pytest
from django.urls import reverse

from civiquest.accounts.models import User
from tests.a11y.dsfr import open_disclosure
from tests.accounts.factories import SuperuserFactory
from tests.accounts.oidc.flow import point_providers_at

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

INJECT_INLINE_SCRIPT = """() => new Promise((resolve) => {
  window.injectedRan = false;
  document.addEventListener("securitypolicyviolation", (event) => {
    // Let the script run first, if the policy let it.
    const seen = {directive: event.effectiveDirective, blocked: event.blockedURI};
    setTimeout(() => resolve({ran: window.injectedRan, ...seen}));
  }, {once: true});
  // No violation within a second: the policy let it through.
  setTimeout(() => resolve({ran: window.injectedRan, directive: null, blocked: null}), 1000);
  const script = document.createElement("script");
  script.textContent = "window.injectedRan = true;";
  document.body.append(script);
})"""

INJECT_EVENT_HANDLER = """() => new Promise((resolve) => {
  window.handlerRan = false;
  document.addEventListener("securitypolicyviolation", (event) => {
    setTimeout(() => resolve({ran: window.handlerRan, directive: event.effectiveDirective}));
  }, {once: true});
  // No violation within a second: the policy let it through.
  setTimeout(() => resolve({ran: window.handlerRan, directive: null}), 1000);
  const button = document.createElement("button");
  button.setAttribute("onclick", "window.handlerRan = true;");
  document.body.append(button);
  button.click();
})"""

INJECT_STRING_TIMER = """() => new Promise((resolve) => {
  window.evalRan = false;
  document.addEventListener("securitypolicyviolation", (event) => {
    setTimeout(() => resolve({ran: window.evalRan, directive: event.effectiveDirective, blocked: event.blockedURI}));
  }, {once: true});
  // No violation within a second: the policy let it through.
  setTimeout(() => resolve({ran: window.evalRan, directive: null, blocked: null}), 1000);
  // A string given to setTimeout is evaluated: what an injected attribute or a JSON mix-up could reach.
  setTimeout("window.evalRan = true;");
})"""


def test_an_injected_inline_script_does_not_run_and_is_reported(browser_page_as, live_server, csp_violations):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("citizen:home"))
    # The page's own scripts ran (the design system marks the document once it has started).
    page.wait_for_function("document.documentElement.hasAttribute('data-fr-js')")

    outcome = page.evaluate(INJECT_INLINE_SCRIPT)

    assert outcome == {"ran": False, "directive": "script-src-elem", "blocked": "inline"}
    assert any(violation.get("blocked") == "inline" for violation in csp_violations)
    csp_violations.clear()


def test_an_injected_event_handler_and_eval_do_not_run(browser_page_as, live_server, csp_violations):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("citizen:catalogue"))

    assert page.evaluate(INJECT_EVENT_HANDLER) == {"ran": False, "directive": "script-src-attr"}
    assert page.evaluate(INJECT_STRING_TIMER) == {"ran": False, "directive": "script-src", "blocked": "eval"}
    directives = {violation.get("directive") for violation in csp_violations}
    assert {"script-src-attr", "script-src"} <= directives
    csp_violations.clear()


def test_sign_in_and_out_through_a_provider_on_another_origin(browser_page_as, live_server, settings):
    """Chrome applies form-action to a posted form's redirects: the provider's origin must be allowed."""
    ours = live_server.url
    assert "localhost" in ours
    # The same sandbox, reached on another origin, as FranceConnect is in production.
    provider = ours.replace("localhost", "127.0.0.1")
    point_providers_at(settings, provider)
    for slug, values in settings.OIDC_PROVIDERS.items():
        values["REDIRECT_URI"] = f"{ours}/compte/connexion/{slug}/retour/"
        values["POST_LOGOUT_REDIRECT_URI"] = f"{ours}/compte/deconnexion/retour/"
    page = browser_page_as(None)
    page.goto(ours + reverse("oidc:franceconnect"))

    page.get_by_role("button", name="S’identifier avec FranceConnect").click()
    page.wait_for_url(re.compile(rf"^{re.escape(provider)}/sandbox/franceconnect/api/v2/authorize\?.*"))
    page.get_by_role("button", name="Angela Claire Louise DUBOIS").click()
    page.wait_for_url(ours + reverse("oidc:consent"))
    page.get_by_role("button", name="J’accepte et je crée mon compte").click()
    page.wait_for_url(ours + reverse("citizen:display-choice"))
    page.get_by_role("button", name="Décider plus tard").click()
    page.wait_for_url(ours + reverse("citizen:dashboard"))
    assert User.objects.get().family_name == "DUBOIS"

    # Sign-out is in the account menu of the header tools.
    open_disclosure(page.locator(".fr-header__tools [aria-controls='account-menu']"))
    page.locator(".fr-header__tools").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(ours + reverse("citizen:home"))
    assert page.get_by_text("Vous êtes déconnecté.").count() == 1


def test_chromium_posts_its_violation_reports_to_our_view(browser_page_as, live_server, caplog, csp_violations):
    page = browser_page_as(None)
    with caplog.at_level(logging.WARNING, logger="civiquest.csp"):
        page.goto(live_server.url + reverse("citizen:home") + "?jeton=secret")
        page.evaluate(INJECT_INLINE_SCRIPT)
        deadline = time.monotonic() + 10
        while not [r for r in caplog.records if r.name == "civiquest.csp"] and time.monotonic() < deadline:
            page.wait_for_timeout(100)
    [record] = [r for r in caplog.records if r.name == "civiquest.csp"]
    assert record.csp_directive == "script-src-elem"
    assert record.csp_blocked == "inline"
    assert record.csp_document_path == reverse("citizen:home")
    assert "secret" not in record.getMessage()
    csp_violations.clear()


def test_the_django_admin_works_under_the_policy(browser_page_as, live_server):
    """The admin is a maintenance tool, but superusers use it: its pages, filters and forms break nothing."""
    superuser = SuperuserFactory()
    page = browser_page_as(superuser)
    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_role("link", name="Utilisateurs").first.click()
    page.wait_for_url(live_server.url + reverse("admin:accounts_user_changelist"))
    # The changelist's JavaScript (actions, filters) ran: selecting every row counts them.
    page.locator("#action-toggle").check()
    assert page.locator(".action-counter").inner_text().startswith("1 sur 1")
    page.goto(live_server.url + reverse("admin:accounts_user_change", args=[superuser.pk]))
    page.get_by_role("heading", level=1).wait_for()
    page.goto(live_server.url + reverse("admin:core_taskfailure_changelist"))
    page.get_by_role("heading", level=1).wait_for()
