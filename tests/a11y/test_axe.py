"""Every page of every portal, as the role that can see it, passes axe-core (WCAG 2.1 A and AA)."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.a11y.dsfr import open_disclosure
from tests.a11y.pages import FOREIGN_PREFIXES, NOT_PAGES, PAGES, Page
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, SuperuserFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
FACTORIES = {"citizen": CitizenFactory, "agent": AgentFactory, "staff": StaffFactory, "superuser": SuperuserFactory}
axe = Axe()


def assert_no_violations(page) -> None:
    results = axe.run(page, options=AXE_OPTIONS)
    violations = [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in results.response["violations"]
    ]
    assert violations == [], json.dumps(violations, indent=2, ensure_ascii=False)


def route_names(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner_namespace = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from route_names(entry.url_patterns, prefix + str(entry.pattern), inner_namespace)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            yield route, (f"{namespace}{entry.name}" if entry.name else None)


def test_every_url_pattern_is_scanned():
    scanned = {page.url_name for page in PAGES} | set(NOT_PAGES)
    missing = [
        (route, name)
        for route, name in route_names(get_resolver().url_patterns)
        if not route.startswith(FOREIGN_PREFIXES) and (name is None or name not in scanned)
    ]
    assert missing == [], "Add these URL patterns to tests/a11y/pages.py"


@pytest.mark.parametrize("page_spec", PAGES, ids=lambda page: page.id)
def test_page_has_no_accessibility_violation(browser_page_as, live_server, page_spec: Page):
    user = FACTORIES[page_spec.role]() if page_spec.role else None
    page = browser_page_as(user)
    response = page.goto(live_server.url + reverse(page_spec.url_name, kwargs=page_spec.kwargs))
    assert response is not None and response.status == page_spec.expected_status
    assert_no_violations(page)


def test_page_in_english_has_no_accessibility_violation(browser_page_as, live_server):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("citizen:home"))
    # The design system copies the header tools into the mobile menu: use the desktop ones.
    open_disclosure(page.locator(".fr-header__tools .fr-translate__btn"))
    page.locator("#translate-menu").get_by_role("button", name="EN - English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Your administrative procedures, guided step by step"
    assert_no_violations(page)


def test_login_form_with_errors_has_no_accessibility_violation(browser_page_as, live_server):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Nom d’utilisateur").fill("personne")
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert page.get_by_text("Saisissez un nom d’utilisateur et un mot de passe valides").count() == 1
    assert_no_violations(page)


def test_403_page_has_no_accessibility_violation(browser_page_as, live_server):
    page = browser_page_as(CitizenFactory())
    response = page.goto(live_server.url + reverse("agent:home"))
    assert response is not None and response.status == 403
    assert_no_violations(page)


def test_404_page_has_no_accessibility_violation(browser_page_as, live_server):
    page = browser_page_as(None)
    response = page.goto(live_server.url + "/page-inexistante/")
    assert response is not None and response.status == 404
    assert_no_violations(page)


def test_500_page_has_no_accessibility_violation(browser_page_as, live_server, rf):
    from civiquest.www.site_views import server_error

    html = server_error(rf.get("/")).content.decode()
    page = browser_page_as(None)
    # Load any page of the site first so that the error page's static files resolve.
    page.goto(live_server.url + reverse("footer-sitemap"))
    page.set_content(html)
    assert page.get_by_role("heading", level=1).inner_text() == "Erreur inattendue"
    assert_no_violations(page)


def test_first_tab_reaches_the_skip_link_and_focus_is_visible(browser_page_as, live_server):
    page = browser_page_as(None)
    page.goto(live_server.url + reverse("citizen:home"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            const box = element.getBoundingClientRect();
            return {
                text: element.textContent.trim(),
                href: element.getAttribute("href"),
                inSkipLinks: Boolean(element.closest(".fr-skiplinks")),
                outlineStyle: style.outlineStyle,
                outlineWidth: parseFloat(style.outlineWidth),
                visible: box.width > 0 && box.height > 0 && box.top >= 0,
            };
        }"""
    )
    assert focused["inSkipLinks"] and focused["href"] == "#content" and focused["text"] == "Contenu"
    assert focused["visible"]
    assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 1
    # Following the skip link moves focus to the main content.
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
