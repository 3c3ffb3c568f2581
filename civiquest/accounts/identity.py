"""The identities that providers send, parsed and validated before anything is stored."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from civiquest.accounts.models import Gender

INSEE_CODE = re.compile(r"^[0-9AB]{5}$")


class InvalidIdentity(ValueError):
    """The provider's claims are missing or malformed; the message is for the person signing in."""


def _text(claims: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = claims.get(name)
    if value is None or value == "":
        if required:
            raise InvalidIdentity(_("Le fournisseur d’identité n’a pas transmis « %(claim)s ».") % {"claim": name})
        return ""
    if not isinstance(value, str) or len(value) > 200:
        raise InvalidIdentity(_("Le fournisseur d’identité a transmis « %(claim)s » invalide.") % {"claim": name})
    return value.strip()


@dataclass(frozen=True)
class IdentityPivot:
    """FranceConnect's identité pivot: who the person is, as the State knows them."""

    given_names: str
    family_name: str
    usage_name: str
    birthdate: dt.date
    gender: str
    birthplace: str
    birthcountry: str
    email: str

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> IdentityPivot:
        raw_birthdate = _text(claims, "birthdate", required=True)
        try:
            birthdate = dt.date.fromisoformat(raw_birthdate)
        except ValueError as error:
            raise InvalidIdentity(_("La date de naissance transmise est invalide.")) from error
        gender = _text(claims, "gender", required=True)
        if gender not in Gender.values:
            raise InvalidIdentity(_("Le sexe transmis est invalide."))
        birthcountry = _text(claims, "birthcountry", required=True)
        birthplace = _text(claims, "birthplace", required=False)
        if not INSEE_CODE.match(birthcountry) or (birthplace and not INSEE_CODE.match(birthplace)):
            raise InvalidIdentity(_("Le lieu de naissance transmis est invalide."))
        return cls(
            given_names=_text(claims, "given_name", required=True),
            family_name=_text(claims, "family_name", required=True),
            usage_name=_text(claims, "preferred_username", required=False),
            birthdate=birthdate,
            gender=gender,
            birthplace=birthplace,
            birthcountry=birthcountry,
            email=_text(claims, "email", required=False),
        )


@dataclass(frozen=True)
class AgentIdentity:
    """What ProConnect says of an agent."""

    given_name: str
    usual_name: str
    email: str
    uid: str
    siret: str
    idp_id: str

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> AgentIdentity:
        email = _text(claims, "email", required=True).lower()
        if "@" not in email:
            raise InvalidIdentity(_("L’adresse électronique transmise est invalide."))
        return cls(
            given_name=_text(claims, "given_name", required=True),
            usual_name=_text(claims, "usual_name", required=True),
            email=email,
            uid=_text(claims, "uid", required=True),
            siret=_text(claims, "siret", required=True),
            idp_id=_text(claims, "idp_id", required=False),
        )
