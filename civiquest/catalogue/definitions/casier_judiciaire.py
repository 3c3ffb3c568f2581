"""Extrait de casier judiciaire (bulletin n° 3), en ligne (service-public.fr F1420)."""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    choices,
    fiche,
    form,
    info,
    outside_service,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme

CASIER_JUDICIAIRE = ProcedureDefinition(
    slug="casier-judiciaire",
    title="Obtenir un extrait de casier judiciaire",
    summary=(
        "Demandez en ligne le bulletin n° 3 de votre casier judiciaire, souvent demandé par un employeur. Gratuit."
    ),
    keywords="casier judiciaire bulletin n°3 B3 extrait employeur",
    theme=Theme.JUSTICE,
    life_events=(LifeEventCode.JOB,),
    official_links=(
        fiche("F1420", "Extrait de casier judiciaire (service-public.fr)"),
        ("Demande en ligne (casier judiciaire national)", "https://casier-judiciaire.justice.gouv.fr/"),
    ),
    estimated_minutes=5,
    cost_label="Gratuit",
    completion_xp=40,
    badge_codes=("emploi",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Le bulletin n° 3 ne peut être demandé que par la personne concernée, ou par le représentant "
            "légal d’un mineur ou d’un majeur sous tutelle. Les personnes nées en Nouvelle-Calédonie, en "
            "Polynésie française ou à Wallis-et-Futuna s’adressent au greffe du tribunal de leur lieu de "
            "naissance.",
        ),
        form(
            "demande",
            "Votre demande",
            [
                {
                    "name": "lieu_naissance",
                    "label": "Vous êtes né(e)",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(("france", "En France"), ("etranger", "À l’étranger")),
                },
                {"name": "email", "label": "Adresse électronique", "kind": FieldKind.EMAIL},
            ],
        ),
        outside_service(
            "teleservice",
            "Faire la demande en ligne",
            url="https://casier-judiciaire.justice.gouv.fr/",
            reference_label="Numéro de la demande",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
        ),
    ),
)
