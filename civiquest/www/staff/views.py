from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.models import AgentInvitation, Role, ServiceRole
from civiquest.accounts.selectors import open_invitations, services_with_agent_counts, user_counts_by_role
from civiquest.accounts.services import agent_invite, invitation_revoke
from civiquest.www.staff.forms import AgentInvitationForm


@role_required(Role.STAFF)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    counts = user_counts_by_role()
    role_rows = [(Role(role).label, total) for role, total in counts.items()]
    return render(request, "staff/home.html", {"title": _("Gestion de la plateforme"), "role_rows": role_rows})


@role_required(Role.STAFF)
def agents(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Services, their agents, and the invitations that let agents in through ProConnect."""
    if request.method == "POST":
        form = AgentInvitationForm(data=request.POST)
        if form.is_valid():
            invitation = agent_invite(
                email=form.cleaned_data["email"],
                service=form.cleaned_data["service"],
                role=ServiceRole(form.cleaned_data["role"]),
                invited_by=request.user,
            )
            messages.success(
                request,
                _("%(email)s est invité dans le service %(service)s.")
                % {"email": invitation.email, "service": invitation.service.name},
            )
            return redirect("staff:agents")
    else:
        form = AgentInvitationForm()
    context = {
        "title": _("Agents et invitations"),
        "form": form,
        "services": services_with_agent_counts(),
        "invitations": open_invitations(),
    }
    return render(request, "staff/agents.html", context)


@role_required(Role.STAFF)
@require_POST
def invitation_revoke_view(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(AgentInvitation, pk=invitation_id)
    invitation_revoke(invitation=invitation)
    messages.success(request, _("L’invitation de %(email)s est révoquée.") % {"email": invitation.email})
    return redirect("staff:agents")
