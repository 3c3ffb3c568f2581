from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from civiquest.accounts.access import AuthenticatedHttpRequest, public, role_required
from civiquest.accounts.models import Role
from civiquest.accounts.services import citizen_contact_update
from civiquest.core.dates import paris_today
from civiquest.recommendations.selectors import cached_recommendations_for, use_similar_of
from civiquest.www.citizen.forms import ContactPreferencesForm
from civiquest.www.citizen.home import home_of
from civiquest.www.citizen.recommendation_views import todo_context


@public
def home(request: HttpRequest) -> HttpResponse:
    """The public landing page: what the service is and how it works."""
    return render(request, "citizen/home.html", {"title": _("Vos démarches administratives, guidées pas à pas")})


@role_required(Role.CITIZEN)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen home: ongoing quests and their next step, deadlines, habits due, recent rewards."""
    context = {
        "title": _("Mon espace"),
        "home": home_of(citizen=request.user),
        "todo": cached_recommendations_for(request.user, today=paris_today()),
        **todo_context(),
    }
    return render(request, "citizen/dashboard.html", context)


@role_required(Role.CITIZEN)
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's identity (read-only, from FranceConnect) and their contact preferences."""
    user = request.user
    if request.method == "POST":
        form = ContactPreferencesForm(data=request.POST)
        if form.is_valid():
            citizen_contact_update(
                user=user, email=form.cleaned_data["email"], notify_by_email=form.cleaned_data["notify_by_email"]
            )
            messages.success(request, _("Vos préférences de contact sont enregistrées."))
            return redirect("citizen:profile")
    else:
        form = ContactPreferencesForm(initial={"email": user.email, "notify_by_email": user.notify_by_email})
    context = {"title": _("Mon profil"), "form": form, "use_similar": use_similar_of(user)}
    return render(request, "citizen/profile.html", context)
