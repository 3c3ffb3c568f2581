"""Déclaration annuelle de revenus, en ligne sur impots.gouv.fr (source : service-public.fr F358)."""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    checklist,
    choices,
    fiche,
    form,
    info,
    outside_service,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme

DECLARATION_REVENUS = ProcedureDefinition(
    slug="declaration-revenus",
    tax_calendar=True,
    title="Déclarer ses revenus",
    summary=(
        "Chaque printemps, déclarez les revenus de l’année précédente dans votre espace particulier sur "
        "impots.gouv.fr, même si vous n’êtes pas imposable. Gratuit."
    ),
    keywords="impôt sur le revenu déclaration annuelle impots.gouv.fr DGFiP numéro fiscal",
    theme=Theme.MONEY,
    life_events=(LifeEventCode.UNION, LifeEventCode.JOB),
    official_links=(
        fiche("F358", "Impôt sur le revenu : déclaration de revenus annuelle (service-public.fr)"),
        ("Espace particulier (impots.gouv.fr)", "https://cfspart.impots.gouv.fr/LoginMDP"),
        (
            "Simulateurs officiels, dont l’impôt sur le revenu (impots.gouv.fr)",
            "https://www.impots.gouv.fr/simulateurs",
        ),
    ),
    estimated_minutes=30,
    cost_label="Gratuit",
    completion_xp=80,
    badge_codes=("contribuable",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "La déclaration en ligne est obligatoire si votre résidence principale a un accès à internet. "
            "Vérifiez les montants préremplis et corrigez-les si besoin. Pour estimer votre impôt avant de "
            "déclarer, utilisez le simulateur « Estimer mon impôt » de votre espace CiviQuest "
            "(/mon-espace/impots/simulateur/) : il peut importer votre situation fiscale depuis la DGFiP.",
        ),
        form(
            "foyer",
            "Votre foyer fiscal",
            [
                {
                    "name": "numero_fiscal",
                    "label": "Numéro fiscal",
                    "help_text": "13 chiffres, en haut de votre dernier avis d’impôt.",
                    "kind": FieldKind.TEXT,
                    "pattern": r"[0-3][0-9]{12}",
                },
                {
                    "name": "situation",
                    "label": "Situation de famille",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("celibataire", "Célibataire"),
                        ("marie_pacse", "Marié(e) ou pacsé(e)"),
                        ("divorce_separe", "Divorcé(e) ou séparé(e)"),
                        ("veuf", "Veuf ou veuve"),
                    ),
                },
                {
                    "name": "personnes_a_charge",
                    "label": "Nombre d’enfants ou de personnes à charge",
                    "kind": FieldKind.NUMBER,
                    "min_value": 0,
                    "max_value": 20,
                },
            ],
        ),
        outside_service(
            "teleservice",
            "Déclarer sur impots.gouv.fr",
            url="https://cfspart.impots.gouv.fr/LoginMDP",
            reference_label="Numéro de l’accusé de réception",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
            body="À la fin de la déclaration, un accusé de réception vous est délivré : notez son numéro ici.",
        ),
        checklist(
            "ensuite",
            "Et ensuite",
            ["Conserver l’accusé de réception", "Vérifier mon avis d’impôt à sa réception, l’été suivant"],
            required=False,
        ),
    ),
)
