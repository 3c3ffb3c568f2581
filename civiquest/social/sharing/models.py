"""Share links (a checklist, a badge or a level, by a revocable link that expires) and circles.

A ``ShareLink`` stores only references: the public page assembles what it shows at each
view (the steps of the quest's pinned revision, the badge's definition, the level), and
never anything personal. ``views`` is counted for the owner only.

A ``Circle`` (family, friends) is opt-in: members join by a single-use ``CircleInvitation``
and each ``CircleMembership`` says what the circle sees of that member's progress —
nothing by default.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.quests.models import Quest


class ShareKind(models.TextChoices):
    CHECKLIST = "checklist", _("Liste d’une démarche")
    BADGE = "badge", _("Badge")
    LEVEL = "level", _("Niveau")


class ShareLink(models.Model):
    """A link that shows one item of the owner's, without anything personal, until it expires or is revoked."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links", verbose_name=_("usager")
    )
    kind = models.CharField(_("ce qui est partagé"), max_length=16, choices=ShareKind.choices)
    # secrets.token_urlsafe(24): 32 characters, unique-indexed; the owner can copy it again.
    token = models.CharField(max_length=64, unique=True, editable=False)
    quest = models.ForeignKey(Quest, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    badge_code = models.SlugField(_("badge"), max_length=60, blank=True)
    include_ticks = models.BooleanField(_("avec mes étapes faites"), default=False)
    show_pseudonym = models.BooleanField(_("avec mon pseudonyme"), default=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    views = models.PositiveIntegerField(_("vues"), default=0)

    class Meta:
        verbose_name = _("lien de partage")
        verbose_name_plural = _("liens de partage")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "revoked_at", "expires_at"], name="sharing_link_owner_active")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="checklist") | Q(quest__isnull=False), name="sharing_checklist_has_quest"
            ),
            models.CheckConstraint(condition=~Q(kind="badge") | ~Q(badge_code=""), name="sharing_badge_has_code"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.kind}"

    def is_active(self, now: dt.datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class CircleKind(models.TextChoices):
    FAMILY = "family", _("Famille")
    FRIENDS = "friends", _("Amis")


class Circle(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circles_owned", verbose_name=_("créé par")
    )
    name = models.CharField(_("nom du cercle"), max_length=60)
    kind = models.CharField(_("type de cercle"), max_length=16, choices=CircleKind.choices)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("cercle")
        verbose_name_plural = _("cercles")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class CircleMembership(models.Model):
    """A member of a circle and what the circle sees of their progress (nothing by default)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships", verbose_name=_("membre")
    )
    shows_level = models.BooleanField(_("montre son niveau"), default=False)
    shows_badges = models.BooleanField(_("montre ses badges"), default=False)
    shows_done_count = models.BooleanField(_("montre le nombre de démarches terminées"), default=False)
    joined_at = models.DateTimeField(_("membre depuis"), default=timezone.now)

    class Meta:
        verbose_name = _("membre d’un cercle")
        verbose_name_plural = _("membres des cercles")
        ordering = ["joined_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["circle", "member"], name="sharing_circle_member_once")]

    def __str__(self) -> str:
        return f"{self.circle_id}: {self.member_id}"


class CircleInvitation(models.Model):
    """A single-use invitation link to a circle, valid 7 days."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation à un cercle")
        verbose_name_plural = _("invitations aux cercles")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.circle_id}"
