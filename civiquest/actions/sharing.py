"""A citizen's sharing actions: share links (create, revoke, a view counted) and circles.

Sharing earns XP once per item (gamification reference §6: "share 5"), never in "mode sobre";
the key names the owner and the item (the procedure of a checklist, a badge, a level), so
revoking and sharing the same item again earns nothing more.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.core.ratelimit import check
from civiquest.core.transactions import use_case
from civiquest.progress.badges import badge_codes_of, game_visible
from civiquest.progress.models import XpEntry, XpKind
from civiquest.progress.xp import level_of, xp_award
from civiquest.quests.selectors import quest_detail
from civiquest.social.sharing import services
from civiquest.social.sharing.models import Circle, CircleInvitation, CircleMembership, ShareKind, ShareLink
from civiquest.social.sharing.services import ShareInvalid

SHARE_XP = 5
REASON_SHARE = "share"
CREATE_LIMIT = 10  # links created per citizen per hour
CREATE_WINDOW = 60 * 60
INVITE_LIMIT = 20  # invitations per citizen per day
INVITE_WINDOW = 60 * 60 * 24


def share_item_key(share: ShareLink, *, level: int | None = None) -> str:
    """What "the same item" is: the procedure of a checklist, the badge, the level reached."""
    if share.kind == ShareKind.CHECKLIST and share.quest is not None:
        return f"checklist:{share.quest.procedure_id}"
    if share.kind == ShareKind.BADGE:
        return f"badge:{share.badge_code}"
    return f"level:{level}"


def _share_reward(*, citizen: User, share: ShareLink, level: int | None) -> XpEntry | None:
    if not game_visible(citizen):
        return None  # "mode sobre": no game
    return xp_award(
        citizen=citizen,
        amount=SHARE_XP,
        reason=REASON_SHARE,
        key=f"share:{citizen.pk}:{share_item_key(share, level=level)}",
        source=share,
        kind=XpKind.SHARE,
    )


@use_case
def share_create(
    *,
    citizen: User,
    kind: str,
    quest_id: Any = None,
    badge_code: str = "",
    include_ticks: bool = False,
    show_pseudonym: bool = False,
    days: int = services.DEFAULT_SHARE_DAYS,
) -> ShareLink:
    """Create a share link of one of the citizen's quests' checklist, a badge they hold, or their level."""
    check(
        f"share-create:{citizen.pk}",
        limit=CREATE_LIMIT,
        window=CREATE_WINDOW,
        message=lambda: _("Vous avez créé beaucoup de liens en peu de temps : réessayez plus tard."),
    )
    quest = None
    level = None
    if kind == ShareKind.CHECKLIST:
        quest = quest_detail(quest_id=quest_id, citizen=citizen) if quest_id not in (None, "") else None
        if quest is None:
            raise ShareInvalid(_("Choisissez une de vos démarches."))
    elif kind == ShareKind.BADGE:
        if not badge_code or badge_code not in badge_codes_of(citizen):
            raise ShareInvalid(_("Choisissez un badge que vous avez obtenu."))
    elif kind == ShareKind.LEVEL:
        level = level_of(citizen).level
    share = services.share_create(
        owner=citizen,
        kind=kind,
        quest=quest,
        badge_code=badge_code,
        include_ticks=include_ticks,
        show_pseudonym=show_pseudonym,
        days=days,
    )
    _share_reward(citizen=citizen, share=share, level=level)
    return share


@use_case
def share_revoke(*, citizen: User, share_id: int) -> ShareLink | None:
    """Revoke one of the citizen's links at once (idempotent); None if it is not theirs."""
    return services.share_revoke(owner=citizen, share_id=share_id)


@use_case
def share_viewed(*, share: ShareLink, viewer: Any) -> bool:
    """Count a view of the public page, unless the owner is looking at it."""
    if getattr(viewer, "pk", None) == share.owner_id:
        return False
    services.share_view_count(share=share)
    return True


# Circles.


@use_case
def circle_create(*, citizen: User, name: str, kind: str) -> Circle:
    return services.circle_create(owner=citizen, name=name, kind=kind)


@use_case
def circle_invite(*, citizen: User, circle: Circle) -> CircleInvitation:
    check(
        f"circle-invite:{citizen.pk}",
        limit=INVITE_LIMIT,
        window=INVITE_WINDOW,
        message=lambda: _("Vous avez créé beaucoup d’invitations aujourd’hui : réessayez demain."),
    )
    return services.circle_invite(circle=circle, actor=citizen)


@use_case
def circle_join(*, citizen: User, token: str) -> CircleMembership:
    return services.invitation_accept(token=token, member=citizen)


@use_case
def circle_visibility_set(
    *, membership: CircleMembership, shows_level: bool, shows_badges: bool, shows_done_count: bool
) -> CircleMembership:
    return services.membership_visibility_set(
        membership=membership, shows_level=shows_level, shows_badges=shows_badges, shows_done_count=shows_done_count
    )


@use_case
def circle_leave(*, citizen: User, circle: Circle) -> bool:
    return services.circle_leave(circle=circle, member=citizen)


@use_case
def circle_member_remove(*, citizen: User, circle: Circle, membership_id: int) -> bool:
    return services.member_remove(circle=circle, actor=citizen, membership_id=membership_id)


@use_case
def circle_delete(*, citizen: User, circle: Circle) -> None:
    services.circle_delete(circle=circle, actor=citizen)
