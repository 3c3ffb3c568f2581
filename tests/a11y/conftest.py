"""Browser fixtures: Debian's chromium driven by Playwright, never a downloaded browser."""

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.accounts.factories import login_verified

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told it is safe (it is: the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return os.environ.get("CIVIQUEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


# Package scope: Playwright's sync API keeps an event loop in the main thread while it runs,
# which async tests elsewhere (async_to_sync) refuse; it stops once the browser tests are done.
@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page_as(browser, live_server, client):
    """A browser page signed in as the given user (or anonymous with None); staff pass their TOTP."""
    contexts = []

    def open_page(user=None, locale: str = "fr-FR"):
        context = browser.new_context(locale=locale)
        contexts.append(context)
        if user is not None:
            login_verified(client, user)
            session_cookie = client.cookies["sessionid"]
            context.add_cookies(
                [{"name": "sessionid", "value": session_cookie.value, "url": live_server.url, "httpOnly": True}]
            )
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
