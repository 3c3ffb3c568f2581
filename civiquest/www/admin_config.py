"""Django's admin, restricted to superusers: it is a maintenance tool, not a portal.

Like django-otp's ``OTPAdminSite``, it also requires a session verified by a second
factor (TOTP). It has no sign-in form of its own: its login page sends people to the
staff sign-in (password, then code), and back here afterwards.
"""

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


class SuperuserAdminSite(AdminSite):
    site_header = "CiviQuest — administration technique"
    site_title = "CiviQuest"

    def has_permission(self, request: HttpRequest) -> bool:
        # This module is loaded with the app registry, before the models (accounts.access imports them).
        from civiquest.accounts.access import is_otp_verified  # noqa: PLC0415 - models not ready at app loading

        user = request.user
        return bool(user.is_active and user.is_superuser and is_otp_verified(user))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Send sign-ins to the staff sign-in; a signed-in user who may not enter gets a 403."""
        # Like has_permission: django.contrib.auth.views and accounts.access import the user model.
        from django.contrib.auth.views import redirect_to_login  # noqa: PLC0415 - models not ready at app loading

        from civiquest.accounts.access import second_factor_missing  # noqa: PLC0415 - models not ready at app loading

        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
            next_url = index
        if self.has_permission(request):
            return redirect(next_url)
        if request.user.is_authenticated and not second_factor_missing(request.user):
            # Signed in completely but not a superuser: the sign-in page would send them back here.
            raise PermissionDenied
        return redirect_to_login(next_url, login_url=reverse("accounts:login"))


class SuperuserAdminConfig(AdminConfig):
    default_site = "civiquest.www.admin_config.SuperuserAdminSite"
