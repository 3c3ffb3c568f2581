"""Changement d’adresse auprès de plusieurs organismes à la fois (téléservice de service-public.fr)."""

from civiquest.procedures.catalogue.base import (
    ProcedureDefinition,
    checklist,
    choices,
    form,
    info,
    outside_service,
)
from civiquest.procedures.models import FieldKind, LifeEventCode, Theme

CHANGEMENT_ADRESSE = ProcedureDefinition(
    slug="changement-adresse",
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
            "Le téléservice transmet votre nouvelle adresse aux organismes que vous choisissez. La carte "
            "grise et l’inscription sur les listes électorales demandent chacune leur propre démarche.",
        ),
        form(
            "nouvelle-adresse",
            "Votre nouvelle adresse",
            [
                {"name": "date_demenagement", "label": "Date du déménagement", "kind": FieldKind.DATE},
                {"name": "adresse", "label": "Nouvelle adresse", "kind": FieldKind.ADDRESS},
                {"name": "commune", "label": "Code de la nouvelle commune", "kind": FieldKind.COMMUNE},
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
                    ),
                },
            ],
        ),
        outside_service(
            "teleservice",
            "Déclarer en ligne",
            url="https://www.service-public.fr/particuliers/vosdroits/R11193",
            reference_label="Numéro de la déclaration",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
        ),
        checklist(
            "ensuite",
            "Et ensuite",
            [
                "Mettre à jour l’adresse de ma carte grise (dans le mois)",
                "M’inscrire sur les listes électorales de ma nouvelle commune",
                "Prévenir ma banque, mon assureur et mes fournisseurs d’énergie",
            ],
            required=False,
        ),
    ),
)
