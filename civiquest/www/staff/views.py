from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civiquest.accounts.access import role_required
from civiquest.accounts.models import Role
from civiquest.accounts.selectors import user_counts_by_role


@role_required(Role.STAFF)
def home(request: HttpRequest) -> HttpResponse:
    counts = user_counts_by_role()
    role_rows = [(Role(role).label, total) for role, total in counts.items()]
    return render(request, "staff/home.html", {"title": _("Gestion de la plateforme"), "role_rows": role_rows})
