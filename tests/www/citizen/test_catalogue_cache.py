"""The catalogue page's body, cached whole for anyone but a citizen (issue 20, point 9).

The body (title, introduction, filters and listing) of a page without a search is the same for
everyone in a language: it is kept in the shared cache under the catalogue's version, so that a
change to what it shows is seen at once, and never holds anything personal.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civiquest.catalogue.models import LifeEventCode
from civiquest.www.citizen import catalogue_views
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import GUIDED_STEPS, published

URL = "/demarches/"


@pytest.fixture
def passport(db):
    procedure, _revision = published(GUIDED_STEPS, slug="passeport", title="Passeport")
    return procedure


def main_of(response) -> str:
    return re.search(r"<main\b.*?</main>", response.content.decode(), re.S).group(0)


def test_the_url_is_the_catalogue():
    assert reverse("citizen:catalogue") == URL


def test_a_visitor_is_served_the_cached_body_with_no_query_and_no_rendering(client, passport, monkeypatch):
    client.get(URL)
    rendered: list[str] = []
    real = catalogue_views.render_to_string
    monkeypatch.setattr(
        catalogue_views, "render_to_string", lambda name, *a, **k: rendered.append(name) or real(name, *a, **k)
    )
    with CaptureQueriesContext(connection) as again:
        page = client.get(URL)
    assert "Passeport" in main_of(page)
    assert rendered == [] and len(again.captured_queries) == 0


@pytest.mark.parametrize("change", ["edit", "unpublish", "publish"])
def test_a_change_to_a_procedure_shows_at_once_to_a_visitor(client, passport, change):
    assert "Passeport" in main_of(client.get(URL))
    if change == "edit":
        passport.title = "Passeport biométrique"
        passport.save()
        assert "Passeport biométrique" in main_of(client.get(URL))
    elif change == "unpublish":
        passport.status = "closed"
        passport.save()
        assert "Passeport" not in main_of(client.get(URL))
    else:
        published(GUIDED_STEPS, slug="recensement", title="Recensement citoyen")
        assert "Recensement citoyen" in main_of(client.get(URL))


def test_the_body_is_kept_per_language(client, passport):
    assert "<h1>Démarches</h1>" in main_of(client.get(URL))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = main_of(client.get(URL))
    assert "<h1>Procedures</h1>" in english and "Démarches" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "<h1>Démarches</h1>" in main_of(client.get(URL))


def test_the_body_holds_nothing_personal(client, passport):
    first = client.get(URL)
    other = type(client)()
    second = other.get(URL)
    # The same body for two visitors, with no CSRF token in it; each page has its own token.
    assert main_of(first) == main_of(second)
    assert "csrf" not in main_of(first).lower()
    tokens = [re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode()).group(1) for page in (first, second)]
    assert tokens[0] != tokens[1]


def test_a_citizen_gets_their_own_page_after_a_visitor_and_the_visitor_never_theirs(client, passport):
    filtered = {"life_event": LifeEventCode.TRAVEL}
    visitor = main_of(client.get(URL, filtered))
    citizen = type(client)()
    citizen.force_login(CitizenFactory())
    # A citizen filtering on a life event is offered to declare it (with their own form).
    own = main_of(citizen.get(URL, filtered))
    assert 'name="occurred_on"' in own and "csrfmiddlewaretoken" in own
    assert 'name="occurred_on"' not in visitor
    assert 'name="occurred_on"' not in main_of(type(client)().get(URL, filtered))
