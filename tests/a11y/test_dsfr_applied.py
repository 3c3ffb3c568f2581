"""The design system is applied on every page family, as production serves its static files.

A stylesheet whose integrity hash does not match the file served is refused by the
browser: the page then shows as raw HTML. Each page here must have DSFR's font and
colours, and no static resource refused, missing or failed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from civiquest.quests.services import quest_start
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, published

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

DSFR_BLUE = "rgb(0, 0, 145)"
# In the page's content: the header's tools restyle their buttons as links.
PRIMARY_BUTTON = "#content .fr-btn:not(.fr-btn--secondary):not(.fr-btn--tertiary):not(.fr-btn--tertiary-no-outline)"
# What the page shows of the design system, read once its fonts have settled. A page with
# no primary button of its own (the staff home) gets a probe one: the stylesheet is checked.
PROBE = """async (selector) => {
    await document.fonts.ready;
    let button = [...document.querySelectorAll(selector)].find((element) => element.offsetParent !== null);
    if (!button) {
        button = document.createElement("button");
        button.className = "fr-btn";
        button.textContent = "probe";
        document.getElementById("content").append(button);
    }
    return {
        fontFamily: getComputedStyle(document.body).fontFamily,
        buttonBackground: getComputedStyle(button).backgroundColor,
        buttonText: button.textContent.trim(),
        marianneLoaded: [...document.fonts].some(
            (font) => font.family.includes("Marianne") && font.status === "loaded"
        ),
    };
}"""


@dataclass
class Problems:
    """What the browser reports refused or failed while a page loads."""

    page_url: str
    expected_status: int
    items: list[str] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        # The browser logs a page's own error status (the 404 page) as a failed resource.
        if message.location.get("url") == self.page_url and self.expected_status >= 400:
            return
        self.items.append(f"console: {message.text}")

    def on_request_failed(self, request: Any) -> None:
        self.items.append(f"request failed: {request.url} ({request.failure})")

    def on_response(self, response: Any) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.items.append(f"static file answered {response.status}: {response.url}")


def _a_quest_page() -> tuple[Any, str]:
    procedure, _revision = published(INSTRUCTED_STEPS, service=ServiceFactory(), slug="passeport", title="Passeport")
    citizen = CitizenFactory()
    quest = quest_start(citizen=citizen, procedure=procedure)
    return citizen, reverse("citizen:quest", kwargs={"quest_id": quest.pk})


def _as(factory: Callable[[], Any] | None, url_name: str) -> Callable[[], tuple[Any, str]]:
    return lambda: (factory() if factory else None, reverse(url_name))


PAGE_FAMILIES: dict[str, tuple[Callable[[], tuple[Any, str]], int]] = {
    "public-landing": (_as(None, "citizen:home"), 200),
    "catalogue": (_as(None, "citizen:catalogue"), 200),
    "quest": (_a_quest_page, 200),
    "my-quests": (_as(CitizenFactory, "citizen:quests"), 200),
    "wallet": (_as(CitizenFactory, "citizen:documents"), 200),
    "progress": (_as(CitizenFactory, "citizen:progress"), 200),
    "agent-inbox": (_as(AgentFactory, "agent:home"), 200),
    "staff-portal": (_as(StaffFactory, "staff:home"), 200),
    # Issue 19: entraide's charter (public), sharing, trusted helpers, the moderators' queue.
    "entraide-charter": (_as(None, "citizen:moderation-charter"), 200),
    "shares": (_as(CitizenFactory, "citizen:shares"), 200),
    "helpers": (_as(CitizenFactory, "citizen:mandates"), 200),
    "staff-moderation": (_as(StaffFactory, "staff:moderation-queue"), 200),
    "staff-sign-in": (_as(None, "accounts:login"), 200),
    "not-found": (lambda: (None, "/cette-page-n-existe-pas/"), 404),
}


@pytest.mark.parametrize("family", PAGE_FAMILIES)
def test_the_design_system_is_applied(browser_page_as, live_server, family: str):
    build, expected_status = PAGE_FAMILIES[family]
    user, path = build()
    page = browser_page_as(user)
    problems = Problems(page_url=live_server.url + path, expected_status=expected_status)
    page.on("console", problems.on_console)
    page.on("requestfailed", problems.on_request_failed)
    page.on("response", problems.on_response)

    response = page.goto(live_server.url + path, wait_until="networkidle")

    assert response is not None and response.status == expected_status
    shown = page.evaluate(PROBE, PRIMARY_BUTTON)
    assert problems.items == [], "\n".join(problems.items)
    assert "Marianne" in shown["fontFamily"], shown
    assert shown["marianneLoaded"], shown
    assert shown["buttonBackground"] == DSFR_BLUE, shown


def test_static_files_are_served_hashed_by_whitenoise(browser_page_as, live_server):
    """The harness itself: hashed names, served from STATIC_ROOT with WhiteNoise's long cache."""
    page = browser_page_as(None)
    stylesheets: list[Any] = []
    page.on("response", lambda response: response.url.endswith(".css") and stylesheets.append(response))
    page.goto(live_server.url + reverse("citizen:home"), wait_until="networkidle")
    dsfr = [response for response in stylesheets if "/static/dsfr/dist/dsfr/dsfr.min." in response.url]
    assert len(dsfr) == 1 and dsfr[0].url.endswith(".css") and not dsfr[0].url.endswith("/dsfr.min.css"), dsfr
    assert dsfr[0].status == 200
    assert "immutable" in dsfr[0].headers["cache-control"]
