"""Carte européenne d’assurance maladie, commandée sur son compte ameli (service-public.fr F34441)."""

from civiquest.catalogue.definitions.base import ProcedureDefinition, fiche, form, info, outside_service
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme

CARTE_EUROPEENNE_ASSURANCE_MALADIE = ProcedureDefinition(
    slug="carte-europeenne-assurance-maladie",
    title="Commander la carte européenne d’assurance maladie",
    summary=(
        "Avant un séjour temporaire dans l’Union européenne, l’Espace économique européen, en Suisse ou au "
        "Royaume-Uni, commandez votre carte européenne d’assurance maladie sur votre compte ameli. Gratuit."
    ),
    keywords="CEAM ameli assurance maladie voyage Europe soins à l’étranger",
    theme=Theme.SOCIAL_HEALTH,
    life_events=(LifeEventCode.TRAVEL,),
    official_links=(
        fiche("F34441", "Carte européenne d’assurance maladie (service-public.fr)"),
        ("Compte ameli", "https://assure.ameli.fr/"),
    ),
    estimated_minutes=5,
    cost_label="Gratuit",
    completion_xp=40,
    badge_codes=("voyageur",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "La carte est individuelle et nominative : chaque membre de la famille, enfants compris, a la "
            "sienne. Commandez-la au moins deux semaines avant votre départ.",
        ),
        form(
            "sejour",
            "Votre séjour",
            [
                {"name": "date_depart", "label": "Date de départ", "kind": FieldKind.DATE, "min_date": "today"},
                {"name": "pays", "label": "Pays de destination", "kind": FieldKind.TEXT, "max_length": 100},
                {
                    "name": "nombre_cartes",
                    "label": "Nombre de cartes à commander",
                    "kind": FieldKind.NUMBER,
                    "min_value": 1,
                    "max_value": 15,
                },
            ],
        ),
        outside_service(
            "teleservice",
            "Commander sur ameli",
            url="https://assure.ameli.fr/",
            reference_label="Numéro de la demande",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
        ),
    ),
)
