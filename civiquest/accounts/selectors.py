from django.db.models import Count

from civiquest.accounts.models import Role, User


def user_counts_by_role() -> dict[str, int]:
    """Active users per role, every role present (zero when none)."""
    rows = User.objects.filter(is_active=True).values("role").annotate(total=Count("id")).order_by()
    counts = {role.value: 0 for role in Role}
    counts.update({row["role"]: row["total"] for row in rows})
    return counts
