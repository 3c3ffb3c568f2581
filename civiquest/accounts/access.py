"""Who may see a view. Every view of the project declares it with one of these decorators.

``public`` marks a page anyone may see; ``role_required`` lets in signed-in users of the
given roles, sends anonymous visitors to the sign-in page and answers 403 to the others.
Platform staff must also have passed their second factor (TOTP, django-otp) in this
session: a staff session without it is sent back to the staff sign-in.
A test walks every URL pattern and fails on a view that declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from civiquest.accounts.models import Role, User

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "civiquest_access"
PUBLIC = "public"


class AuthenticatedHttpRequest(HttpRequest):
    """The request a `role_required` view receives: its user is signed in."""

    user: User


def public(view: ViewFunc) -> ViewFunc:
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def is_otp_verified(user: Any) -> bool:
    """Whether this session's user passed a second factor (set by django-otp's middleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def second_factor_missing(user: Any) -> bool:
    """A signed-in staff member whose session has not passed the second factor yet."""
    return bool(user.is_authenticated and user.role == Role.STAFF and not is_otp_verified(user))


def sign_in_url_for(allowed: frozenset[Role]) -> str:
    """Where each audience signs in: agents with ProConnect, staff with password and code."""
    if allowed == {Role.AGENT}:
        return "oidc:proconnect"
    if allowed == {Role.STAFF}:
        return "accounts:login"
    return "oidc:franceconnect"


def role_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    allowed = frozenset(roles)
    sign_in_url = sign_in_url_for(allowed)

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), sign_in_url)
            if not user.is_active or user.role not in allowed:
                raise PermissionDenied
            if second_factor_missing(user):
                # The sign-in page asks for the password and then the code again.
                return redirect_to_login(request.get_full_path(), "accounts:login")
            return view(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, allowed)
        return wrapped  # type: ignore[return-value]

    return decorator


def view_access(view: Callable[..., Any]) -> str | frozenset[Role] | None:
    """What a view declared, looking through class-based view wrappers."""
    declared = getattr(view, ACCESS_ATTRIBUTE, None)
    if declared is None and hasattr(view, "view_class"):
        declared = getattr(view.view_class, ACCESS_ATTRIBUTE, None)
    return declared
