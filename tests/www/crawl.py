"""A breadth-first crawl of the site with Django's test client, as one signed-in user (or none).

From entry pages, it follows every same-site ``<a href>`` (GET only) and the redirects it
meets, and checks every form's ``action`` resolves to a URL of the project. It records each
link that answers an error (404, 500, and the 403 or 405 of a link shown to a role that
cannot follow it), with the page that showed it. Static files named by the pages must exist.

Pages with the same URL name and the same query keys are visited a few times only (one quest
page tells as much as ten), and the whole crawl stops at a cap.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponseBase
from django.test import Client
from django.urls import Resolver404, resolve

# Links a crawl must not follow: signing out would end the crawl's session.
SIGN_OUT = {"accounts:logout", "oidc:logout"}
# Schemes that are not pages of the site.
OTHER_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
SAME_PATTERN_VISITS = 3
CAP = 600


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []  # (method, action)
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        elif tag == "form":
            self.forms.append((values.get("method", "get").lower() or "get", values.get("action", "")))
        elif tag in ("img", "script") and values.get("src"):
            self.assets.append(values["src"])
        elif tag == "link" and values.get("href"):
            self.assets.append(values["href"])


@dataclass
class Broken:
    url: str
    status: int | str
    found_on: str

    def __str__(self) -> str:
        return f"{self.url} → {self.status} (linked from {self.found_on})"


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    forms_checked: int = 0
    assets_checked: int = 0


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver")


def _local(url: str) -> str:
    """Path and query of a same-site URL, without its fragment."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _pattern_key(url: str) -> tuple[str, tuple[str, ...]] | None:
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.view_name, tuple(sorted({key for key, _value in parse_qsl(parts.query)}))


def _static_exists(path: str) -> bool:
    name = path.removeprefix(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL)
    return finders.find(name.split("?")[0]) is not None


def crawl(client: Client, starts: list[str], *, cap: int = CAP) -> Crawl:
    result = Crawl()
    queue: deque[tuple[str, str]] = deque((start, "(entry page)") for start in starts)
    seen: set[str] = {_local(start) for start in starts}
    per_pattern: Counter[tuple[str, tuple[str, ...]]] = Counter()
    assets: set[str] = set()
    while queue and len(result.visited) < cap:
        url, found_on = queue.popleft()
        response: HttpResponseBase = client.get(url)
        result.visited.append(url)
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            target = urljoin(url, response["Location"])
            if _same_site(target):
                _enqueue(queue, seen, per_pattern, _local(target), url)
            continue
        if status >= 400:
            result.broken.append(Broken(url, status, found_on))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            response.close()
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.links:
            if href.startswith(OTHER_SCHEMES) or href.startswith("#") or not href:
                continue
            target = urljoin(url, href)
            if not _same_site(target):
                continue
            local = _local(target)
            if local.startswith(settings.STATIC_URL):
                if local not in assets:
                    assets.add(local)
                    if not _static_exists(local):
                        result.broken.append(Broken(local, "missing static file", url))
                continue
            try:
                view = resolve(urlsplit(local).path).view_name
            except Resolver404:
                result.broken.append(Broken(local, "no URL pattern", url))
                continue
            if view in SIGN_OUT:
                continue
            _enqueue(queue, seen, per_pattern, local, url)
        for method, action in parser.forms:
            result.forms_checked += 1
            target = urljoin(url, action)
            if not _same_site(target):
                continue
            try:
                resolve(urlsplit(target).path)
            except Resolver404:
                result.broken.append(Broken(_local(target), f"form ({method}) action has no URL pattern", url))
                continue
            if method == "get":
                _enqueue(queue, seen, per_pattern, _local(target), url)
        for src in parser.assets:
            local = _local(urljoin(url, src))
            if _same_site(urljoin(url, src)) and local.startswith(settings.STATIC_URL):
                if local not in assets:
                    assets.add(local)
                    if not _static_exists(local):
                        result.broken.append(Broken(local, "missing static file", url))
    result.assets_checked = len(assets)
    return result


def _enqueue(
    queue: deque[tuple[str, str]],
    seen: set[str],
    per_pattern: Counter[tuple[str, tuple[str, ...]]],
    url: str,
    found_on: str,
) -> None:
    if url in seen:
        return
    seen.add(url)
    key = _pattern_key(url)
    if key is not None:
        if per_pattern[key] >= SAME_PATTERN_VISITS:
            return
        per_pattern[key] += 1
    queue.append((url, found_on))
