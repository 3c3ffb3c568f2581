"""Every view declares who may see it; a view that declares nothing fails this test."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from civiquest.accounts.access import (
    ACCESS_ATTRIBUTE,
    PUBLIC,
    is_otp_verified,
    public,
    role_required,
    second_factor_missing,
    sign_in_url_for,
    view_access,
)
from civiquest.accounts.models import Role, User
from tests.accounts.factories import StaffFactory, login_verified

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


# Who signs in where, and the staff's second factor (issue 22: mutants of accounts/access.py).


class _Verified:
    def __init__(self, verified: bool) -> None:
        self.verified = verified

    def is_verified(self) -> bool:
        return self.verified


def test_a_second_factor_counts_only_when_the_session_passed_it():
    assert is_otp_verified(_Verified(True)) is True
    assert is_otp_verified(_Verified(False)) is False
    assert is_otp_verified(object()) is False  # no django-otp on this user: not verified


@pytest.mark.parametrize(
    ("roles", "sign_in"),
    [
        ({Role.AGENT}, "oidc:proconnect"),
        ({Role.STAFF}, "accounts:login"),
        ({Role.CITIZEN}, "oidc:franceconnect"),
        ({Role.CITIZEN, Role.AGENT}, "oidc:franceconnect"),
        ({Role.AGENT, Role.STAFF}, "oidc:franceconnect"),
        (set(), "oidc:franceconnect"),
    ],
)
def test_each_audience_is_sent_to_its_own_sign_in(roles, sign_in):
    assert sign_in_url_for(frozenset(roles)) == sign_in


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "sign_in"),
    [
        ("agent:home", "oidc:proconnect"),
        ("staff:home", "accounts:login"),
        ("citizen:dashboard", "oidc:franceconnect"),
    ],
)
def test_a_visitor_is_sent_to_the_sign_in_of_the_page_s_audience(client, page, sign_in):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(sign_in)}?next={reverse(page)}"


@pytest.mark.django_db
def test_a_staff_session_without_its_second_factor_is_sent_back_to_sign_in(client):
    staff = User.objects.get(pk=StaffFactory().pk)  # as the middleware loads it: the role a plain string
    assert second_factor_missing(staff) is True  # no second factor passed (no django-otp verification on it)
    client.force_login(staff)  # the password step only
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('staff:home')}"
    login_verified(client, staff)
    assert client.get(reverse("staff:home")).status_code == 200


def test_a_declaration_on_a_class_based_view_is_read_from_either_side():
    class Page(View):
        pass

    declared_on_the_function = public(Page.as_view())
    assert view_access(declared_on_the_function) == PUBLIC
    setattr(Page, ACCESS_ATTRIBUTE, frozenset({Role.AGENT}))
    assert view_access(Page.as_view()) == frozenset({Role.AGENT})
    assert view_access(View.as_view()) is None


def test_a_guarded_view_keeps_what_its_view_declared():
    def page(request):
        """A page."""

    guarded = role_required(Role.CITIZEN)(csrf_exempt(page))
    # functools.wraps: the CSRF exemption, the name and the docstring survive the guard.
    assert guarded.csrf_exempt is True
    assert (guarded.__name__, guarded.__doc__) == ("page", "A page.")
    assert view_access(guarded) == frozenset({Role.CITIZEN})
