"""Browser fixtures: Debian's chromium driven by Playwright, never a downloaded browser.

The browser tests see the site as production serves it: DEBUG off, static files collected
once per run with the manifest storage and served by WhiteNoise from STATIC_ROOT (not by the
test server's static handler, nor by the finders).
"""

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread
from django.test.utils import modify_settings, override_settings
from pytest_django.live_server_helper import LiveServer

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


MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def production_static_settings(static_root: Path) -> dict[str, Any]:
    """The settings that serve static files as in production, from a collected STATIC_ROOT."""
    return {
        "DEBUG": False,
        "STATIC_ROOT": static_root,
        "STORAGES": {**django_settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}},
        "WHITENOISE_USE_FINDERS": False,
        "WHITENOISE_AUTOREFRESH": False,
    }


@pytest.fixture(scope="session")
def collected_static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """STATIC_ROOT collected once per run, shared by the pytest-xdist workers (under a file lock)."""
    base = tmp_path_factory.getbasetemp()
    # Each xdist worker has its own basetemp; their parent belongs to this run alone.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "static-root"
    with (shared / "static-root.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "staticfiles.json").is_file():
            staging = Path(tempfile.mkdtemp(prefix="static-root-", dir=shared))
            with override_settings(**production_static_settings(staging)):
                call_command("collectstatic", interactive=False, verbosity=0)
            staging.rename(root)
    return root


def _django_handler_alone(test_handlers: Any) -> WSGIHandler:
    """Drop the test server's static and media handlers: WhiteNoise, a middleware, serves /static/."""
    return test_handlers.application


class ProductionLiveServer(LiveServer):
    """pytest-django's live server, serving Django's WSGI handler alone (as gunicorn does)."""

    def __init__(self, address: str, static_root: Path) -> None:
        host, _, port = address.partition(":")
        in_memory = {
            conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        self.thread = LiveServerThread(
            host, _django_handler_alone, connections_override=in_memory, port=int(port or 0)
        )
        self.thread.daemon = True
        # Enabled and disabled around each test by pytest-django's _live_server_helper.
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": host})
        # WhiteNoise indexes STATIC_ROOT when the server thread builds its middleware.
        with override_settings(**production_static_settings(static_root)):
            self.start()


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, collected_static_root: Path) -> Iterator[LiveServer]:
    address = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = ProductionLiveServer(address, collected_static_root)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _static_files_as_in_production(request: pytest.FixtureRequest) -> None:
    """Pages rendered for the live server name the hashed files WhiteNoise serves."""
    if "live_server" not in request.fixturenames:
        return
    settings = request.getfixturevalue("settings")
    for name, value in production_static_settings(request.getfixturevalue("collected_static_root")).items():
        setattr(settings, name, value)


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


# Every page the browser tests open reports what the content security policy blocked: the
# document's securitypolicyviolation events (through a binding that outlives navigations), and
# the console errors chromium writes for the violations no document event reports.
CSP_VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cqCspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    document: event.documentURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
}, true);
"""


@pytest.fixture
def csp_violations() -> list[dict[str, Any]]:
    """The CSP violations of this test's browser pages; a test that provokes one on purpose clears it."""
    return []


def watch_csp_violations(context: Any, violations: list[dict[str, Any]]) -> None:
    def record(violation: dict[str, Any]) -> None:
        violations.append(violation)

    context.expose_function("__cqCspViolation", record)
    context.add_init_script(CSP_VIOLATION_LISTENER)
    context.on(
        "console",
        lambda message: (
            violations.append({"console": message.text})
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def browser_page_as(browser, live_server, client, csp_violations):
    """A browser page signed in as the given user (or anonymous with None); staff pass their TOTP.

    The test fails if any page it opened violated the content security policy.
    """
    contexts = []

    def open_page(user=None, locale: str = "fr-FR"):
        context = browser.new_context(locale=locale)
        watch_csp_violations(context, csp_violations)
        contexts.append(context)
        if user is not None:
            login_verified(client, user)
            session_cookie = client.cookies["sessionid"]
            context.add_cookies(
                [{"name": "sessionid", "value": session_cookie.value, "url": live_server.url, "httpOnly": True}]
            )
        return context.new_page()

    yield open_page
    try:
        for context in contexts:
            for page in context.pages:
                # A round trip delivers the violations still on their way from the browser.
                if not page.is_closed():
                    page.evaluate("0")
        assert csp_violations == [], f"Content security policy violations: {csp_violations}"
    finally:
        for context in contexts:
            context.close()
