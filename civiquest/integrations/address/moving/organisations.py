"""The organisations a move can be declared to, and the reference each one needs.

Each needs its own identifier of the citizen (service-public.fr's "changement de
coordonnées" asks the same ones): the numéro fiscal for the tax office, the numéro
d'allocataire for the CAF, the social security number for health insurance and
pensions, the France Travail identifier, the delivery point of the energy supplier,
the registration plate for the carte grise. ``clean_reference`` checks the format only;
whether the organisation knows the number is its own answer (a rejection with a reason).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _digits(raw: str) -> str:
    return re.sub(r"[\s.\-\u00a0]", "", raw)


def _plate(raw: str) -> str:
    compact = re.sub(r"[\s\-\u00a0]", "", raw).upper()
    if re.fullmatch(r"[A-Z]{2}\d{3}[A-Z]{2}", compact):
        return f"{compact[:2]}-{compact[2:5]}-{compact[5:]}"
    return compact


def _nir(raw: str) -> str:
    return _digits(raw).upper()


@dataclass(frozen=True)
class Organisation:
    code: str
    label: Promise
    reference_label: Promise
    reference_hint: Promise
    pattern: str
    normalize: Callable[[str], str]


NIR_PATTERN = r"[12]\d{2}(?:0[1-9]|1[0-2]|[2-9]\d)(?:\d{2}|2A|2B)\d{6}\d{2}"

ORGANISATIONS: dict[str, Organisation] = {
    organisation.code: organisation
    for organisation in (
        Organisation(
            "impots",
            _("Impôts (DGFiP)"),
            _("Numéro fiscal"),
            _("13 chiffres, en haut de votre déclaration ou de votre avis d’impôt."),
            r"[0-3]\d{12}",
            _digits,
        ),
        Organisation(
            "caf",
            _("Caisse d’allocations familiales (CAF)"),
            _("Numéro d’allocataire"),
            _("7 chiffres, sur vos courriers de la CAF."),
            r"\d{7}",
            _digits,
        ),
        Organisation(
            "assurance_maladie",
            _("Assurance Maladie"),
            _("Numéro de sécurité sociale"),
            _("15 caractères, clé comprise, sur votre carte Vitale."),
            NIR_PATTERN,
            _nir,
        ),
        Organisation(
            "retraite",
            _("Caisse de retraite"),
            _("Numéro de sécurité sociale"),
            _("15 caractères, clé comprise, sur votre carte Vitale."),
            NIR_PATTERN,
            _nir,
        ),
        Organisation(
            "france_travail",
            _("France Travail"),
            _("Identifiant France Travail"),
            _("7 chiffres suivis d’un chiffre ou d’une lettre, comme 1234567A."),
            r"\d{7}[0-9A-Z]",
            lambda raw: _digits(raw).upper(),
        ),
        Organisation(
            "energie",
            _("Fournisseur d’énergie"),
            _("Numéro de point de livraison (PDL ou PCE)"),
            _("14 chiffres, sur votre facture d’électricité ou de gaz."),
            r"\d{14}",
            _digits,
        ),
        Organisation(
            "carte_grise",
            _("Carte grise (ANTS)"),
            _("Numéro d’immatriculation"),
            _("Comme AB-123-CD, en haut de votre certificat d’immatriculation."),
            r"[A-Z]{2}-\d{3}-[A-Z]{2}",
            _plate,
        ),
    )
}


class ReferenceInvalid(ValueError):
    pass


def clean_reference(organisation: Organisation, raw: str) -> str:
    """The reference in its canonical form, or ``ReferenceInvalid`` with a French message."""
    value = organisation.normalize(str(raw or ""))
    if not value:
        raise ReferenceInvalid(
            _("« %(label)s » est obligatoire pour prévenir %(organisation)s.")
            % {"label": organisation.reference_label, "organisation": organisation.label}
        )
    if re.fullmatch(organisation.pattern, value) is None:
        raise ReferenceInvalid(
            _("« %(label)s » n’a pas le format attendu : %(hint)s")
            % {"label": organisation.reference_label, "hint": organisation.reference_hint}
        )
    return value


def nir_key_is_valid(nir: str) -> bool:
    """The last two digits are 97 minus the first thirteen modulo 97 (Corsica: 2A → 19, 2B → 18)."""
    body = nir[:13].replace("2A", "19").replace("2B", "18")
    if not body.isdigit() or not nir[13:].isdigit():
        return False
    return 97 - int(body) % 97 == int(nir[13:])
