from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civiquest.accounts.access import AuthenticatedHttpRequest, role_required
from civiquest.accounts.audit import audit_record
from civiquest.accounts.models import AgentInvitation, Role, ServiceRole
from civiquest.accounts.selectors import (
    memberships_by_service,
    open_invitations,
    services_with_agent_counts,
    user_counts_by_role,
)
from civiquest.accounts.services import agent_invite, invitation_revoke, membership_revoke
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
            with transaction.atomic():
                invitation = agent_invite(
                    email=form.cleaned_data["email"],
                    service=form.cleaned_data["service"],
                    role=ServiceRole(form.cleaned_data["role"]),
                    invited_by=request.user,
                )
                audit_record(
                    actor=request.user,
                    action="agent.invite",
                    target=invitation,
                    details={"service": invitation.service_id, "role": invitation.role},
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
        "memberships": memberships_by_service(),
    }
    return render(request, "staff/agents.html", context)


@role_required(Role.STAFF)
@require_POST
def invitation_revoke_view(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(AgentInvitation, pk=invitation_id)
    with transaction.atomic():
        revoked = invitation_revoke(invitation=invitation)
        audit_record(
            actor=request.user,
            action="agent.invitation_revoke",
            target=revoked,
            details={"service": revoked.service_id, "revoked": revoked.revoked_at is not None},
        )
    messages.success(request, _("L’invitation de %(email)s est révoquée.") % {"email": invitation.email})
    return redirect("staff:agents")


@role_required(Role.STAFF)
@require_POST
def membership_revoke_view(request: AuthenticatedHttpRequest, membership_id: int) -> HttpResponse:
    with transaction.atomic():
        membership = membership_revoke(membership_id=membership_id)
        if membership is None:
            raise Http404
        audit_record(
            actor=request.user,
            action="agent.membership_revoke",
            target=membership.user,
            details={"service": membership.service_id, "role": membership.role},
        )
    messages.success(
        request,
        _("%(name)s ne fait plus partie du service %(service)s.")
        % {"name": membership.user.get_full_name() or membership.user.email, "service": membership.service.name},
    )
    return redirect("staff:agents")
