"""What the admin portal reads about the recommendation rules: the list, one rule, its revisions.

Each is one query, whatever the number of rules or revisions.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from civiquest.catalogue.models import Procedure
from civiquest.recommendations.models import Rule, RuleRevision


def rules_for_staff() -> list[Rule]:
    """Every rule, active or not, with its procedure and ``revision_count`` (one query)."""
    return list(
        Rule.objects.select_related("procedure")
        .annotate(revision_count=Count("revisions"))
        .order_by("trigger", "-relevance", "code")
    )


def rule_for_staff(code: str) -> Rule | None:
    return Rule.objects.select_related("procedure").filter(code=code).first()


def rule_revisions(rule: Rule) -> list[RuleRevision]:
    """The rule's revisions, the latest first, with their authors (one query)."""
    return list(RuleRevision.objects.filter(rule=rule).select_related("author").order_by("-number"))


def procedure_titles(slugs: Iterable[str]) -> dict[str, str]:
    """slug → title of the catalogue's procedures among ``slugs`` (one query, none for no slug)."""
    wanted = set(slugs)
    if not wanted:
        return {}
    return dict(Procedure.objects.filter(slug__in=wanted).values_list("slug", "title"))
