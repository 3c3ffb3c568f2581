"""Changement d’adresse auprès de plusieurs organismes à la fois (téléservice de service-public.fr).

The move is declared once on the platform's own page (``citizen:moving-quest``, in
``civiquest/www/citizen/address_views.py``, linked from the ``declaration`` step), which
sends it to each organisation chosen here and then fills that step's reference with the
declaration number.
The organisation codes are ``civiquest.integrations.address.moving.organisations``'.
"""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    checklist,
    choices,
    form,
    info,
    outside_service,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme

CHANGEMENT_ADRESSE = ProcedureDefinition(
    slug="changement-adresse",
    address_dispatch=True,
    title="Déclarer un changement d’adresse",
    summary=(
        "Un seul formulaire en ligne prévient plusieurs organismes de votre nouvelle adresse (impôts, "
        "caisses de sécurité sociale, retraite, France Travail…). Gratuit."
    ),
    keywords="déménagement nouvelle adresse coordonnées organismes",
    theme=Theme.HOUSING,
    life_events=(LifeEventCode.MOVING,),
    official_links=(
        (
            "Déclarer un changement de coordonnées (service-public.fr)",
            "https://www.service-public.fr/particuliers/vosdroits/R11193",
        ),
    ),
    estimated_minutes=15,
    cost_label="Gratuit",
    completion_xp=60,
    badge_codes=("demenagement",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Vous déclarez votre nouvelle adresse une seule fois : elle est transmise aux organismes que vous "
            "choisissez (impôts, CAF, Assurance Maladie, France Travail, caisse de retraite, fournisseur "
            "d’énergie, carte grise), et vous suivez la réponse de chacun. L’inscription sur les listes "
            "électorales demande sa propre démarche.",
        ),
        form(
            "nouvelle-adresse",
            "Votre nouvelle adresse",
            [
                {"name": "date_demenagement", "label": "Date du déménagement", "kind": FieldKind.DATE},
                {"name": "adresse", "label": "Nouvelle adresse", "kind": FieldKind.ADDRESS},
                {
                    "name": "organismes",
                    "label": "Organismes à prévenir",
                    "kind": FieldKind.MULTIPLE_CHOICE,
                    "min_length": 1,
                    "choices": choices(
                        ("impots", "Impôts (DGFiP)"),
                        ("caf", "Caisse d’allocations familiales"),
                        ("assurance_maladie", "Assurance maladie"),
                        ("retraite", "Caisse de retraite"),
                        ("france_travail", "France Travail"),
                        ("energie", "Fournisseur d’énergie"),
                        ("carte_grise", "Carte grise (ANTS)"),
                    ),
                },
            ],
        ),
        outside_service(
            "declaration",
            "Déclarer mon déménagement",
            # The official téléservice; the step page links to the platform's own declaration page
            # (templates/citizen/moving/_step_link.html), which fills the reference.
            url="https://www.service-public.fr/particuliers/vosdroits/R11193",
            reference_label="Numéro de la déclaration",
            reference_pattern=r"DEM-[A-Z0-9]{8}",
            body=(
                "Indiquez pour chaque organisme choisi la référence qu’il vous a donnée (numéro fiscal, "
                "numéro d’allocataire…), puis déclarez votre déménagement : il leur est transmis en une fois "
                "et vous suivez la réponse de chacun. Le numéro de la déclaration s’inscrit ensuite ici."
            ),
        ),
        checklist(
            "ensuite",
            "Et ensuite",
            [
                "M’inscrire sur les listes électorales de ma nouvelle commune",
                "Prévenir ma banque et mon assureur",
            ],
            required=False,
        ),
    ),
)
