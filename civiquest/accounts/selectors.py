from django.db.models import Count, QuerySet

from civiquest.accounts.models import AgentInvitation, Role, Service, ServiceMembership, ServiceRole, User


def user_counts_by_role() -> dict[str, int]:
    """Active users per role, every role present (zero when none)."""
    rows = User.objects.filter(is_active=True).values("role").annotate(total=Count("id")).order_by()
    counts = {role.value: 0 for role in Role}
    counts.update({row["role"]: row["total"] for row in rows})
    return counts


def memberships_of(user: User) -> list[ServiceMembership]:
    """The services an agent belongs to, with their role there, by service name."""
    return list(ServiceMembership.objects.filter(user=user).select_related("service").order_by("service__name"))


def is_service_manager(user: User) -> bool:
    return ServiceMembership.objects.filter(user=user, role=ServiceRole.MANAGER).exists()


def open_invitations() -> list[AgentInvitation]:
    """Invitations neither accepted nor revoked, newest first."""
    return list(
        AgentInvitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("service")
        .order_by("-created_at")
    )


def services_with_agent_counts() -> list[Service]:
    return list(Service.objects.annotate(agent_count=Count("memberships")).order_by("name"))


def memberships_by_service() -> QuerySet[ServiceMembership]:
    """Every membership, by service then agent name (the staff's agents page)."""
    return ServiceMembership.objects.select_related("user", "service").order_by(
        "service__name", "user__last_name", "user__first_name", "pk"
    )


def services_by_name() -> QuerySet[Service]:
    return Service.objects.order_by("name")
