"""Where a field's value may come from instead of being asked again ("dites-le-nous une fois").

A field of a revision may be mapped (``Field.source``) to an attribute the platform already
knows of the citizen: the FranceConnect identité pivot (certified: prefilled and locked) or
their profile (offered again, applied only when the citizen accepts). ``Field.source_condition``
limits the mapping to quests where earlier answers say the citizen is the person concerned
(a passport for oneself, not for one's child).

This module knows no model, so that ``catalogue.models`` can take its choices.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldSource(models.TextChoices):
    GIVEN_NAMES = "identity.given_names", _("Identité FranceConnect : prénoms")
    FAMILY_NAME = "identity.family_name", _("Identité FranceConnect : nom de naissance")
    BIRTHDATE = "identity.birthdate", _("Identité FranceConnect : date de naissance")
    BIRTHPLACE = "identity.birthplace", _("Identité FranceConnect : commune de naissance")
    SEX = "identity.sex", _("Identité FranceConnect : sexe")
    HOME_ADDRESS = "profile.home_address", _("Profil : adresse du domicile")


IDENTITY_PREFIX = "identity."

# The field kinds each source may fill (``FieldKind`` values, kept as text here).
SOURCE_KINDS: dict[str, frozenset[str]] = {
    FieldSource.GIVEN_NAMES: frozenset({"text"}),
    FieldSource.FAMILY_NAME: frozenset({"text"}),
    FieldSource.BIRTHDATE: frozenset({"date"}),
    FieldSource.BIRTHPLACE: frozenset({"text", "commune"}),
    FieldSource.SEX: frozenset({"single_choice"}),
    FieldSource.HOME_ADDRESS: frozenset({"address"}),
}

# The choice values a sex field may use for each FranceConnect ``gender`` (folded, lower case).
SEX_CHOICE_VALUES: dict[str, tuple[str, ...]] = {
    "female": ("female", "f", "femme", "feminin"),
    "male": ("male", "m", "homme", "masculin"),
}


def is_identity_source(source: str) -> bool:
    """Whether the source is the certified identity (prefilled and locked), not the profile (offered)."""
    return source.startswith(IDENTITY_PREFIX)


def sex_choice_value(gender: str, choice_values: list[str]) -> str:
    """The field's choice value for a FranceConnect gender; "" when the field has none."""
    wanted = SEX_CHOICE_VALUES.get(gender, ())
    return next((value for value in choice_values if value.lower() in wanted), "")


def source_kind_problem(source: str, kind: str, choice_values: list[str]) -> bool:
    """Whether a field of this kind (and these choices) cannot take the source's value."""
    if not source:
        return False
    if kind not in SOURCE_KINDS.get(source, frozenset()):
        return True
    if source == FieldSource.SEX:
        return not all(sex_choice_value(gender, choice_values) for gender in SEX_CHOICE_VALUES)
    return False
