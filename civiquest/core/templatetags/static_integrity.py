"""Subresource integrity computed from the static files as they are served.

django-dsfr's ``{% dsfr_css %}`` and ``{% dsfr_js %}`` carry the hashes of its files as
shipped, but the manifest storage rewrites the ``url()``s inside the stylesheets at
``collectstatic``: the browser then refuses them. These tags hash the file the browser
will actually receive, so the integrity check holds in every static setup.

``{% load static_integrity %}``, then ``{% dsfr_stylesheets %}`` in the head,
``{% dsfr_scripts nonce=request.csp_nonce %}`` at the end of the body, and
``{% static_integrity "path" %}`` for any other file.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import HashedFilesMixin, staticfiles_storage
from django.core.cache import caches
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from dsfr.constants import DsfrStaticAssets

from civiquest.core.fragments import FRAGMENTS

register = template.Library()


def sri(content: bytes) -> str:
    """The ``integrity`` value of some content (sha384, as django-dsfr uses)."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


@functools.cache
def _integrity_of_hashed(stored_name: str) -> str:
    # A hashed name always holds the same content: computed once per process.
    with staticfiles_storage.open(stored_name) as stored:
        return sri(stored.read())


@functools.lru_cache(maxsize=256)
def _integrity_of_file(path: str, mtime_ns: int, size: int) -> str:
    # Keyed by modification time: an unhashed file may be edited while the server runs.
    return sri(Path(path).read_bytes())


def _unhashed_source(path: str) -> Path:
    """The file WhiteNoise serves for an unhashed URL: the finders' one first if it uses them."""
    found = finders.find(path)
    collected = Path(staticfiles_storage.path(path))
    use_finders = getattr(settings, "WHITENOISE_USE_FINDERS", settings.DEBUG)
    for candidate in (found, collected) if use_finders else (collected, found):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ValueError(f"Static file {path!r} is neither collected nor found by the finders.")


def static_integrity(path: str) -> str:
    """The integrity of the static file ``{% static path %}`` points at."""
    # The same rule as ManifestFilesMixin.url: hashed names, except under DEBUG.
    if isinstance(staticfiles_storage, HashedFilesMixin) and not settings.DEBUG:
        return _integrity_of_hashed(staticfiles_storage.stored_name(path))
    source = _unhashed_source(path)
    stat = source.stat()
    return _integrity_of_file(str(source), stat.st_mtime_ns, stat.st_size)


def _checked_attributes(path: str) -> dict[str, str]:
    """``integrity`` (and ``crossorigin`` when the file comes from another origin), if checks are on."""
    if not getattr(settings, "DSFR_USE_INTEGRITY_CHECKSUMS", True):
        return {}
    attributes = {"integrity": static_integrity(path)}
    if urlsplit(static(path)).netloc:
        # A cross-origin response is only checked if fetched in CORS mode.
        attributes["crossorigin"] = "anonymous"
    return attributes


def _attributes_html(attributes: dict[str, str]) -> SafeString:
    return format_html_join("", ' {}="{}"', attributes.items())


@register.simple_tag(name="static_integrity")
def static_integrity_tag(path: str) -> str:
    return static_integrity(path)


@register.simple_tag
def dsfr_stylesheets() -> SafeString:
    """django-dsfr's ``dsfr_css`` markup, with integrity hashes of the stylesheets as served."""
    links = format_html_join(
        "\n",
        '<link rel="stylesheet" href="{}"{}>',
        (
            (static(path), _attributes_html(_checked_attributes(path)))
            for path in (DsfrStaticAssets.DSFR_CSS, DsfrStaticAssets.DSFR_UTILITY_CSS)
        ),
    )
    return format_html(
        '{}\n<link rel="stylesheet" href="{}">\n<meta name="theme-color" content="#000091">',
        links,
        static(DsfrStaticAssets.DSFR_OVERRIDES_CSS),
    )


@register.simple_tag
def dsfr_scripts(nonce: str | None = "") -> SafeString:
    """django-dsfr's ``dsfr_js`` markup (module and nomodule scripts), with integrity as served."""
    # str(): django-csp's lazy nonce is falsy until read, and only a nonce read makes it into the header.
    nonce_text = str(nonce) if nonce is not None else ""
    nonce_html = format_html(' nonce="{}"', nonce_text) if nonce_text else ""
    # Each page's own nonce, in markup the same for every page: built once (fragments cache).
    parts = caches[FRAGMENTS].get("dsfr_scripts")
    if parts is None:
        parts = _dsfr_script_parts()
        caches[FRAGMENTS].set("dsfr_scripts", parts, timeout=None)
    module_src, module_attributes, nomodule_src, nomodule_attributes = parts
    return format_html(
        '<script type="module" src="{}"{}{}></script>\n<script nomodule src="{}"{}{}></script>',
        module_src,
        module_attributes,
        nonce_html,
        nomodule_src,
        nomodule_attributes,
        nonce_html,
    )


def _dsfr_script_parts() -> tuple[str, SafeString, str, SafeString]:
    module, nomodule = DsfrStaticAssets.DSFR_MODULE_JS, DsfrStaticAssets.DSFR_NOMODULE_JS
    return (
        static(module),
        _attributes_html(_checked_attributes(module)),
        static(nomodule),
        _attributes_html(_checked_attributes(nomodule)),
    )
