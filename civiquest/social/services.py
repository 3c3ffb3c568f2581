"""Choose the pseudonym (once)."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civiquest.accounts.models import User
from civiquest.core.errors import ProcedureError
from civiquest.core.text import fold
from civiquest.social.models import SocialProfile

PSEUDONYM_RE = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ0-9][A-Za-zÀ-ÖØ-öø-ÿ0-9_.-]{2,23}$")
# Words that would let a pseudonym pass for the service or its staff.
RESERVED = ("civiquest", "admin", "moderat", "agent", "franceconnect", "servicepublic", "prefecture", "mairie")


class PseudonymInvalid(ProcedureError):
    """The pseudonym cannot be taken; ``message`` says why, in the citizen's language."""


def pseudonym_key(pseudonym: str) -> str:
    return fold(pseudonym).replace(" ", "")[:24]


def _check(pseudonym: str, user: User) -> None:
    if not PSEUDONYM_RE.match(pseudonym):
        raise PseudonymInvalid(
            _(
                "Un pseudonyme compte de 3 à 24 caractères : lettres, chiffres, tiret, point ou tiret bas, "
                "en commençant par une lettre ou un chiffre."
            )
        )
    key = pseudonym_key(pseudonym)
    if any(word in key for word in RESERVED):
        raise PseudonymInvalid(
            _("Ce pseudonyme pourrait faire croire que vous parlez au nom du service : choisissez-en un autre.")
        )
    names = {pseudonym_key(part) for part in (user.first_name, user.last_name) if len(part) >= 3}
    if any(name and name in key for name in names):
        raise PseudonymInvalid(_("Votre pseudonyme ne doit pas contenir votre nom : choisissez-en un autre."))
    if "@" in pseudonym or sum(ch.isdigit() for ch in pseudonym) >= 6:
        raise PseudonymInvalid(_("Votre pseudonyme ne doit contenir ni adresse électronique ni numéro."))


def pseudonym_choose(*, user: User, pseudonym: str) -> SocialProfile:
    """Give ``user`` the pseudonym, once: it cannot be changed, and two people never share one.

    Choosing the same pseudonym again is accepted (a double click), anything else refused.
    """
    pseudonym = (pseudonym or "").strip()
    existing = SocialProfile.objects.filter(user=user).first()
    if existing is not None:
        if existing.pseudonym == pseudonym:
            return existing
        raise PseudonymInvalid(_("Votre pseudonyme est déjà choisi et ne change pas."))
    _check(pseudonym, user)
    key = pseudonym_key(pseudonym)
    try:
        with transaction.atomic():
            return SocialProfile.objects.create(user=user, pseudonym=pseudonym, pseudonym_key=key)
    except IntegrityError:
        mine = SocialProfile.objects.filter(user=user).first()
        if mine is not None and mine.pseudonym == pseudonym:
            return mine  # the same choice, made twice at once
        raise PseudonymInvalid(_("Ce pseudonyme est déjà pris : choisissez-en un autre.")) from None
