from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civiquest.accounts.access import public, role_required
from civiquest.accounts.models import Role


@public
def home(request: HttpRequest) -> HttpResponse:
    """The public landing page: what the service is and how it works."""
    return render(request, "citizen/home.html", {"title": _("Vos démarches administratives, guidées pas à pas")})


@role_required(Role.CITIZEN)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/dashboard.html", {"title": _("Mon espace")})
