"""The shared layout: skip links, header with the portal's name, footer with the mandatory links."""

import re

import pytest
from django.urls import reverse

from tests.accounts.factories import login_verified

FOOTER_URL_NAMES = ["footer-accessibility-status", "footer-legal-notice", "footer-personal-data", "footer-sitemap"]


@pytest.mark.parametrize(
    ("role", "url_name", "portal_label"),
    [
        (None, "citizen:home", "CiviQuest"),
        ("citizen", "citizen:dashboard", "CiviQuest"),
        ("agent", "agent:home", "Espace agent"),
        ("staff", "staff:home", "Gestion"),
    ],
)
def test_every_portal_has_skip_links_header_and_footer(client, user_for_role, role, url_name, portal_label):
    if role:
        login_verified(client, user_for_role(role))
    content = client.get(reverse(url_name)).content.decode()
    assert 'class="fr-skiplinks"' in content
    assert 'href="#content"' in content and 'id="content"' in content
    assert 'class="fr-header"' in content and portal_label in content
    for url_name_in_footer in FOOTER_URL_NAMES:
        assert f'href="{reverse(url_name_in_footer)}"' in content
    # Vendored design system and htmx, never a CDN.
    assert 'href="/static/dsfr/dist/dsfr/dsfr.min.css"' in content
    assert 'src="/static/django_htmx/htmx-2.min.js"' in content
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["'](https?:)?//""", content)


def test_the_accessibility_statement_follows_the_rgaa_structure(client, db):
    content = client.get(reverse("footer-accessibility-status")).content.decode()
    for heading in [
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d’accessibilité",
        "Retour d’information et contact",
        "Voies de recours",
    ]:
        assert heading in content
    assert "non conforme" in content
    assert "Défenseur des droits" in content


def test_the_public_landing_page_costs_no_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("citizen:home"))
    assert response.status_code == 200


def test_a_signed_in_portal_page_costs_a_bounded_number_of_queries(client, staff, settings, django_assert_num_queries):
    login_verified(client, staff)
    # The user, the TOTP device that verified the session (django-otp) and the one aggregate
    # of the staff overview, plus the session when it is not served from the cache
    # (Redis-backed cached_db sessions).
    session_queries = 1 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db" else 0
    with django_assert_num_queries(3 + session_queries):
        response = client.get(reverse("staff:home"))
    assert response.status_code == 200
