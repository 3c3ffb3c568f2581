"""Permis de conduire : renouvellement, perte, vol ou détérioration ; demande sur le site de l’ANTS,
instruite par le service de la préfecture (centre d’expertise et de ressources titres)."""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    agent_review,
    choices,
    documents,
    form,
    info,
    outside_service,
    when,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

PERMIS_CONDUIRE = ProcedureDefinition(
    slug="permis-conduire",
    title="Refaire son permis de conduire",
    summary=(
        "Permis perdu, volé, abîmé ou à renouveler : faites la demande en ligne sur le site de l’ANTS. "
        "Gratuit, sauf après une perte ou un vol (timbre fiscal de 25 €)."
    ),
    keywords="permis de conduire duplicata perte vol renouvellement ANTS",
    theme=Theme.TRANSPORT,
    life_events=(LifeEventCode.VEHICLE, LifeEventCode.LOST_PAPERS),
    official_links=(("Permis de conduire (ANTS)", "https://permisdeconduire.ants.gouv.fr/"),),
    instructing_service="prefecture",
    estimated_minutes=15,
    cost_label="Gratuit ; 25 € en timbre fiscal après une perte ou un vol",
    cost_cents=0,
    completion_xp=60,
    badge_codes=("conducteur",),
    steps=(
        info("a-savoir", "À savoir", "La demande se fait uniquement en ligne, avec une photo numérique d’identité."),
        form(
            "situation",
            "Votre situation",
            [
                {
                    "name": "motif",
                    "label": "Motif de la demande",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("perte", "Perte"),
                        ("vol", "Vol"),
                        ("deterioration", "Détérioration"),
                        ("renouvellement", "Renouvellement"),
                    ),
                },
                {
                    "name": "numero_permis",
                    "label": "Numéro du permis",
                    "kind": FieldKind.TEXT,
                    "max_length": 20,
                    "required": False,
                },
            ],
        ),
        outside_service(
            "timbre-fiscal",
            "Acheter le timbre fiscal de 25 €",
            url="https://timbres.impots.gouv.fr/",
            reference_label="Numéro du timbre fiscal électronique",
            reference_pattern=r"[0-9]{16}",
            condition=when("motif", "in", ["perte", "vol"]),
        ),
        documents("pieces", "Vos pièces justificatives", [DocumentType.ID_PHOTO, DocumentType.PROOF_OF_ADDRESS]),
        outside_service(
            "teleservice",
            "Faire la demande sur le site de l’ANTS",
            url="https://permisdeconduire.ants.gouv.fr/",
            reference_label="Numéro de la demande",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
        ),
        agent_review("instruction", "Instruction par la préfecture"),
    ),
)
