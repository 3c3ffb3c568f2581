"""Issue 20: no page-level sideways scroll at 375 px, on every page family, for every role.

Wide content (tables) scrolls inside its own box (DSFR ``fr-table__wrapper``) or is stacked;
the page itself never does. The pages and their data: ``page_families.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.a11y.page_families import ROLES, open_context, seed_families

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}

# What sticks out, to say where the page is too wide (the five widest elements).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      wide.push({
        tag: element.tagName.toLowerCase(),
        id: element.id,
        cls: String(element.className).slice(0, 80),
        right: Math.round(box.right),
      });
    }
  }
  wide.sort((a, b) => b.right - a.right);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    wide: wide.slice(0, 5),
  };
}"""


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_375_px(browser, live_server, role):
    family = seed_families(role)
    violations: list[dict[str, Any]] = []
    context = open_context(browser, live_server, family.user, violations)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        too_wide = {}
        for name, path in family.pages:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (name, path)
            measure = page.evaluate(OVERFLOW)
            if measure["scrollWidth"] > measure["innerWidth"]:
                too_wide[name] = measure
        assert too_wide == {}, too_wide
        assert violations == [], violations
    finally:
        context.close()


def test_the_measure_sees_a_page_wider_than_the_phone(browser, live_server):
    """The check above is not blind: one element wider than 375 px makes the page scroll sideways."""
    violations: list[dict[str, Any]] = []
    context = open_context(browser, live_server, None, violations)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + "/")
        assert page.evaluate(OVERFLOW)["scrollWidth"] <= PHONE["width"]
        page.evaluate(
            """() => {
              const wide = document.createElement("div");
              wide.id = "too-wide";
              wide.style.width = "600px";
              wide.style.height = "10px";
              document.querySelector("main").append(wide);
            }"""
        )
        measure = page.evaluate(OVERFLOW)
        assert measure["scrollWidth"] > measure["innerWidth"]
        assert any(element["id"] == "too-wide" for element in measure["wide"])
    finally:
        context.close()
