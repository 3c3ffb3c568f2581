"""The page chrome is rendered once per language and process, and what depends on the request is not."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation

from civiquest.core.fragments import FRAGMENTS, ProcessFragmentsCache

pytestmark = pytest.mark.django_db


def test_the_fragments_cache_keeps_markup_as_is_and_anything_else_as_locmem_does():
    store = ProcessFragmentsCache("test-fragments", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 3}})
    markup = "<footer>Plan du site</footer>"
    store.set("a", markup)
    assert store.get("a") is markup  # not a copy: no pickling for strings
    store.set("b", ["a", "list"])
    copy = store.get("b")
    assert copy == ["a", "list"] and copy is not store.get("b")  # pickled, as LocMemCache does
    assert store.get("missing", "default") == "default"
    store.set("short", "gone soon", timeout=-1)
    assert store.get("short") is None
    for number in range(10):  # bounded: the oldest entries are culled
        store.set(f"k{number}", "x")
    assert len(store._cache) <= 3


def test_a_page_in_english_after_one_in_french_has_its_own_chrome(client):
    french = client.get(reverse("citizen:home")).content.decode()
    assert "Plan du site" in french and "Se connecter" in french
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("citizen:home")).content.decode()
    assert "Sitemap" in english
    assert "Plan du site" not in english and "Se connecter" not in english
    translation.activate("fr")


def test_the_current_entry_of_the_navigation_follows_the_page(client):
    for name in ("citizen:home", "citizen:catalogue"):
        page = client.get(reverse(name)).content.decode()
        current = re.findall(r'<a class="fr-nav__link" href="([^"]+)"\s*aria-current="page"', page)
        assert current == [reverse(name)]


def test_the_per_request_parts_stay_out_of_the_fragments(client):
    first = client.get(reverse("citizen:catalogue") + "?theme=").content.decode()
    second = client.get(reverse("citizen:home")).content.decode()
    # The language menu comes back to the page it was opened on.
    assert 'name="next" value="/demarches/?theme="' in first
    assert 'name="next" value="/"' in second
    # Each page has its own CSP nonce on the design system's scripts.
    nonces = [
        re.search(r'<script type="module" src="[^"]+"[^>]* nonce="([^"]+)"', page).group(1) for page in (first, second)
    ]
    assert nonces[0] != nonces[1]


def test_a_change_of_settings_empties_the_fragments(client, settings):
    client.get(reverse("citizen:home"))
    assert caches[FRAGMENTS]._cache
    settings.SITE_TITLE = "Démarches de test"
    assert not caches[FRAGMENTS]._cache
