"""Every view declares who may see it; a view that declares nothing fails this test."""

from django.urls import URLPattern, URLResolver, get_resolver

from civiquest.accounts.access import PUBLIC, view_access

# URL prefixes that are not ours to declare: Django's admin checks superusers itself
# (tested in tests/www/test_portal_access.py) and set_language is Django's.
FOREIGN_PREFIXES = ("django-admin/", "i18n/", "api/v1/")  # the JSON API: tests/core/test_api_access.py


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_every_view_declares_who_may_see_it():
    undeclared = [
        route
        for route, pattern in walk(get_resolver().url_patterns)
        if not route.startswith(FOREIGN_PREFIXES) and view_access(pattern.callback) is None
    ]
    assert undeclared == []


def test_portal_views_are_not_public():
    public_portal_routes = [
        route
        for route, pattern in walk(get_resolver().url_patterns)
        if route.startswith(("agent/", "gestion/")) and view_access(pattern.callback) == PUBLIC
    ]
    assert public_portal_routes == []
