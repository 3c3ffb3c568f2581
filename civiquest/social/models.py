"""The citizen's public face in entraide and circles: a pseudonym, chosen once, unique."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SocialProfile(models.Model):
    """A citizen's pseudonym. ``pseudonym_key`` (folded: case and accents) makes it unique."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="social_profile", verbose_name=_("usager")
    )
    pseudonym = models.CharField(_("pseudonyme"), max_length=24)
    pseudonym_key = models.CharField(max_length=24, unique=True, editable=False)
    chosen_at = models.DateTimeField(_("choisi le"), default=timezone.now)

    class Meta:
        verbose_name = _("profil d’entraide")
        verbose_name_plural = _("profils d’entraide")

    def __str__(self) -> str:
        return self.pseudonym
