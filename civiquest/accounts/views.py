from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.access import PUBLIC, public
from civiquest.accounts.forms import LoginForm
from civiquest.accounts.models import Role

PORTAL_HOME_BY_ROLE = {
    Role.CITIZEN: "citizen:dashboard",
    Role.AGENT: "agent:home",
    Role.STAFF: "staff:home",
}


class LoginView(auth_views.LoginView):
    civiquest_access = PUBLIC
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Se connecter")}


class LogoutView(auth_views.LogoutView):
    """Sign-out is a POST (Django refuses GET), open to anyone: signing out twice is harmless."""

    civiquest_access = PUBLIC


@public
def after_login(request: HttpRequest) -> HttpResponse:
    """Send a signed-in user to the home of their portal."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect(PORTAL_HOME_BY_ROLE.get(Role(request.user.role), "citizen:home"))
