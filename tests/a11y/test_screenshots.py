"""``make screenshots``: every page family at 1280 and 375 px, for every role, under ``var/screenshots/``.

Not part of ``make test``: it only runs with ``CIVIQUEST_SCREENSHOTS=1`` (the Makefile target sets
it). Pages are the ones of ``page_families.py``: signed out, a citizen in game mode and in
"mode sobre", an agent with dossiers, staff. Files are ``var/screenshots/<role>/<page>-<width>.png``
(full page), plus the citizen's account menu opened.

Playwright's ``page.screenshot`` injects a ``<style>`` (to hide the caret and stop animations);
the content security policy refuses it and the page reports a violation. That report is no
fault of the site: this run does not use the ``browser_page_as`` fixture (whose teardown fails
on any violation), and passes ``caret="initial"`` and ``animations="allow"`` so that Playwright
has less to inject. The CSP itself is tested by ``test_csp_browser.py`` and every browser test.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.a11y.dsfr import open_disclosure
from tests.a11y.page_families import ROLES, open_context, seed_families

pytestmark = [
    pytest.mark.a11y,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("CIVIQUEST_SCREENSHOTS"), reason="run by `make screenshots` only"),
]

OUTPUT = Path(
    os.environ.get("CIVIQUEST_SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
WIDTHS = (1280, 375)


def shoot(page: Any, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True, caret="initial", animations="allow")


@pytest.mark.parametrize("role", ROLES)
def test_save_every_page_family_at_1280_and_375_px(browser, live_server, role):
    family = seed_families(role)
    folder = OUTPUT / role
    folder.mkdir(parents=True, exist_ok=True)
    # Violations caused by the screenshots' own style are expected here (see the module's docstring).
    ignored: list[dict[str, Any]] = []
    context = open_context(browser, live_server, family.user, ignored)
    saved = []
    try:
        page = context.new_page()
        for name, path in family.pages:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                response = page.goto(live_server.url + path)
                assert response is not None and response.status == 200, (name, path)
                shoot(page, folder / f"{name}-{width}.png")
                saved.append(f"{name}-{width}.png")
        if family.user is not None:
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(live_server.url + family.pages[0][1])
            open_disclosure(page.locator(".fr-header__tools [aria-controls='account-menu']"))
            shoot(page, folder / "account-menu-1280.png")
            saved.append("account-menu-1280.png")
    finally:
        context.close()
    assert len(saved) >= 2 * len(family.pages)
    print(f"{role}: {len(saved)} screenshots in {folder}")  # noqa: T201 - the run's report
