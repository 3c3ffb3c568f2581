"""Reads of sharing: a link by its token (active only), the owner's links, circles and their members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone

from civiquest.accounts.models import User
from civiquest.catalogue.models import Step
from civiquest.quests.models import StepProgress
from civiquest.social.sharing.models import Circle, CircleInvitation, CircleMembership, ShareLink

TOKEN_MAX = 64


def _token_ok(token: Any) -> bool:
    return isinstance(token, str) and 0 < len(token) <= TOKEN_MAX


def share_by_token(*, token: Any, now: dt.datetime | None = None) -> ShareLink | None:
    """The active link with this token, with what its public page shows; None when unknown, revoked or expired."""
    if not _token_ok(token):
        return None
    return (
        ShareLink.objects.filter(token=token, revoked_at__isnull=True, expires_at__gt=now or timezone.now())
        .select_related("owner", "quest__procedure", "quest__revision")
        .prefetch_related(
            Prefetch("quest__revision__steps", queryset=Step.objects.order_by("position")),
            Prefetch("quest__progress", queryset=StepProgress.objects.filter(done_at__isnull=False)),
        )
        .first()
    )


def shares_of(*, owner: User) -> list[ShareLink]:
    """The owner's links, newest first, with what names them (procedure)."""
    return list(ShareLink.objects.filter(owner=owner).select_related("quest__procedure")[:100])


def share_of(*, owner: User, share_id: Any) -> ShareLink | None:
    try:
        pk = int(share_id)
    except (TypeError, ValueError):
        return None
    return ShareLink.objects.filter(owner=owner, pk=pk).select_related("quest__procedure").first()


def circles_of(*, user: User) -> list[Circle]:
    """The circles the user belongs to (their own included), with their member count."""
    return list(
        Circle.objects.filter(memberships__member=user).annotate(member_count=Count("memberships", distinct=True))
    )


def circle_for_member(*, circle_id: Any, user: User) -> Circle | None:
    """A circle the user belongs to, with its memberships and members; None otherwise (a 404)."""
    try:
        pk = int(circle_id)
    except (TypeError, ValueError):
        return None
    return (
        Circle.objects.filter(pk=pk, memberships__member=user)
        .prefetch_related(Prefetch("memberships", queryset=CircleMembership.objects.select_related("member")))
        .first()
    )


def membership_of(*, circle: Circle, user: User) -> CircleMembership | None:
    return next((row for row in circle.memberships.all() if row.member_id == user.pk), None)


def pending_invitations(*, circle: Circle, now: dt.datetime | None = None) -> list[CircleInvitation]:
    return list(circle.invitations.filter(used_at__isnull=True, expires_at__gt=now or timezone.now()))


def invitation_by_token(*, token: Any, now: dt.datetime | None = None) -> CircleInvitation | None:
    """A usable invitation (not spent, not expired), with its circle."""
    if not _token_ok(token):
        return None
    return (
        CircleInvitation.objects.filter(token=token, used_at__isnull=True, expires_at__gt=now or timezone.now())
        .select_related("circle__owner")
        .first()
    )
