from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import Role
from civiquest.accounts.selectors import memberships_of


@role_required(Role.AGENT)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "agent/home.html", {"title": _("Espace agent"), "memberships": memberships_of(request.user)}
    )
