"""Writes of sharing: create and revoke links, count their views; circles, invitations, memberships.

The checks that need another domain (the quest is the citizen's, the badge is held) are the
use case's (``civiquest.actions.sharing``); these functions check what sharing owns.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.core.errors import ProcedureError
from civiquest.core.transactions import atomic
from civiquest.quests.models import Quest
from civiquest.social.sharing.models import (
    Circle,
    CircleInvitation,
    CircleKind,
    CircleMembership,
    ShareKind,
    ShareLink,
)

SHARE_DAYS = (7, 30, 90)
DEFAULT_SHARE_DAYS = 30
MAX_ACTIVE_SHARES = 20
INVITATION_DAYS = 7
MAX_CIRCLES_OWNED = 10
MAX_CIRCLE_MEMBERS = 20
CIRCLE_NAME_MAX = 60


class ShareInvalid(ProcedureError):
    """The share cannot be made; ``message`` says why."""


class CircleInvalid(ProcedureError):
    """The circle action cannot be done; ``message`` says why."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _active(now: dt.datetime) -> dict[str, object]:
    return {"revoked_at__isnull": True, "expires_at__gt": now}


def share_create(
    *,
    owner: User,
    kind: str,
    quest: Quest | None = None,
    badge_code: str = "",
    include_ticks: bool = False,
    show_pseudonym: bool = False,
    days: int = DEFAULT_SHARE_DAYS,
    now: dt.datetime | None = None,
) -> ShareLink:
    """A new link for ``owner``; at most ``MAX_ACTIVE_SHARES`` active at once."""
    now = now or timezone.now()
    if kind not in ShareKind.values:
        raise ShareInvalid(_("Choisissez ce que vous partagez : la liste d’une démarche, un badge ou votre niveau."))
    if days not in SHARE_DAYS:
        raise ShareInvalid(_("Un lien de partage dure 7, 30 ou 90 jours."))
    if kind == ShareKind.CHECKLIST and (quest is None or quest.citizen_id != owner.pk):
        raise ShareInvalid(_("Choisissez une de vos démarches."))
    if kind == ShareKind.BADGE and not badge_code:
        raise ShareInvalid(_("Choisissez un de vos badges."))
    with atomic():
        # One owner's creations are serialised so that the limit holds under concurrency.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        if ShareLink.objects.filter(owner=owner, **_active(now)).count() >= MAX_ACTIVE_SHARES:
            raise ShareInvalid(
                _("Vous avez déjà %(count)s liens actifs : révoquez-en un avant d’en créer un autre.")
                % {"count": MAX_ACTIVE_SHARES}
            )
        return ShareLink.objects.create(
            owner=owner,
            kind=kind,
            token=new_token(),
            quest=quest if kind == ShareKind.CHECKLIST else None,
            badge_code=badge_code if kind == ShareKind.BADGE else "",
            include_ticks=include_ticks and kind == ShareKind.CHECKLIST,
            show_pseudonym=show_pseudonym,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )


def share_revoke(*, owner: User, share_id: int, now: dt.datetime | None = None) -> ShareLink | None:
    """Revoke one of the owner's links (again: nothing changes). None if it is not theirs."""
    share = ShareLink.objects.filter(owner=owner, pk=share_id).first()
    if share is None:
        return None
    if share.revoked_at is None:
        share.revoked_at = now or timezone.now()
        ShareLink.objects.filter(pk=share.pk, revoked_at__isnull=True).update(revoked_at=share.revoked_at)
    return share


def share_view_count(*, share: ShareLink) -> None:
    """One more view, counted atomically in the database."""
    ShareLink.objects.filter(pk=share.pk).update(views=F("views") + 1)


# Circles.


def circle_create(*, owner: User, name: str, kind: str, now: dt.datetime | None = None) -> Circle:
    name = " ".join((name or "").split())
    if not name or len(name) > CIRCLE_NAME_MAX:
        raise CircleInvalid(_("Donnez un nom de 1 à %(max)s caractères au cercle.") % {"max": CIRCLE_NAME_MAX})
    if kind not in CircleKind.values:
        raise CircleInvalid(_("Choisissez le type de cercle : famille ou amis."))
    with atomic():
        User.objects.select_for_update().filter(pk=owner.pk).first()
        if Circle.objects.filter(owner=owner).count() >= MAX_CIRCLES_OWNED:
            raise CircleInvalid(_("Vous avez déjà %(count)s cercles.") % {"count": MAX_CIRCLES_OWNED})
        circle = Circle.objects.create(owner=owner, name=name, kind=kind, created_at=now or timezone.now())
        CircleMembership.objects.create(circle=circle, member=owner, joined_at=circle.created_at)
    return circle


def circle_invite(*, circle: Circle, actor: User, now: dt.datetime | None = None) -> CircleInvitation:
    """A single-use invitation link, valid ``INVITATION_DAYS`` days; only the circle's owner invites."""
    if circle.owner_id != actor.pk:
        raise CircleInvalid(_("Seule la personne qui a créé le cercle peut inviter."))
    now = now or timezone.now()
    return CircleInvitation.objects.create(
        circle=circle, token=new_token(), created_at=now, expires_at=now + dt.timedelta(days=INVITATION_DAYS)
    )


def invitation_accept(*, token: str, member: User, now: dt.datetime | None = None) -> CircleMembership:
    """Join the invitation's circle; the invitation is then spent (a second use is refused)."""
    now = now or timezone.now()
    refused = CircleInvalid(_("Cette invitation n’est plus valable : demandez-en une nouvelle."))
    with atomic():
        invitation = (
            CircleInvitation.objects.select_for_update()
            .select_related("circle")
            .filter(token=token, used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if invitation is None:
            raise refused
        circle = invitation.circle
        existing = CircleMembership.objects.filter(circle=circle, member=member).first()
        if existing is not None:
            return existing  # already a member: the invitation stays for someone else
        if CircleMembership.objects.filter(circle=circle).count() >= MAX_CIRCLE_MEMBERS:
            raise CircleInvalid(_("Ce cercle est complet."))
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        try:
            with transaction.atomic():
                return CircleMembership.objects.create(circle=circle, member=member, joined_at=now)
        except IntegrityError:
            raise refused from None


def membership_visibility_set(
    *, membership: CircleMembership, shows_level: bool, shows_badges: bool, shows_done_count: bool
) -> CircleMembership:
    membership.shows_level = shows_level
    membership.shows_badges = shows_badges
    membership.shows_done_count = shows_done_count
    membership.save(update_fields=["shows_level", "shows_badges", "shows_done_count"])
    return membership


def circle_leave(*, circle: Circle, member: User) -> bool:
    """Leave a circle (its owner deletes it instead)."""
    if circle.owner_id == member.pk:
        raise CircleInvalid(_("Vous avez créé ce cercle : supprimez-le plutôt."))
    deleted, _rows = CircleMembership.objects.filter(circle=circle, member=member).delete()
    return bool(deleted)


def member_remove(*, circle: Circle, actor: User, membership_id: int) -> bool:
    if circle.owner_id != actor.pk:
        raise CircleInvalid(_("Seule la personne qui a créé le cercle peut en retirer un membre."))
    deleted, _rows = (
        CircleMembership.objects.filter(circle=circle, pk=membership_id).exclude(member_id=actor.pk).delete()
    )
    return bool(deleted)


def circle_delete(*, circle: Circle, actor: User) -> None:
    if circle.owner_id != actor.pk:
        raise CircleInvalid(_("Seule la personne qui a créé le cercle peut le supprimer."))
    circle.delete()
