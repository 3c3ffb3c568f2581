"""Changement d’adresse sur la carte grise, en ligne sur le site de l’ANTS (service-public.fr F1703)."""

from civiquest.catalogue.definitions.base import ProcedureDefinition, fiche, form, info, outside_service
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme

CARTE_GRISE_CHANGEMENT_ADRESSE = ProcedureDefinition(
    slug="carte-grise-changement-adresse",
    title="Changer l’adresse de sa carte grise",
    summary=(
        "Après un déménagement, déclarez votre nouvelle adresse sur le site de l’ANTS dans le mois qui "
        "suit. Pour les trois premiers changements, une étiquette à coller sur la carte grise vous est envoyée."
    ),
    keywords="certificat d’immatriculation carte grise déménagement ANTS SIV",
    theme=Theme.TRANSPORT,
    life_events=(LifeEventCode.MOVING, LifeEventCode.VEHICLE),
    official_links=(
        fiche("F1703", "Carte grise : changement d’adresse (service-public.fr)"),
        ("Immatriculation (ANTS)", "https://immatriculation.ants.gouv.fr/"),
    ),
    estimated_minutes=10,
    cost_label="Gratuit pour les trois premiers changements (étiquette)",
    completion_xp=50,
    badge_codes=("demenagement",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Le changement d’adresse doit être déclaré dans le mois qui suit le déménagement.",
        ),
        form(
            "vehicule",
            "Votre véhicule",
            [
                {
                    "name": "immatriculation",
                    "label": "Numéro d’immatriculation",
                    "help_text": "Au format AB-123-CD.",
                    "kind": FieldKind.TEXT,
                    "pattern": r"[A-Z]{2}-?[0-9]{3}-?[A-Z]{2}",
                },
                {
                    "name": "date_demenagement",
                    "label": "Date du déménagement",
                    "kind": FieldKind.DATE,
                    "max_date": "today+31",
                },
                {"name": "nouvelle_adresse", "label": "Nouvelle adresse", "kind": FieldKind.ADDRESS},
            ],
        ),
        outside_service(
            "teleservice",
            "Déclarer la nouvelle adresse sur le site de l’ANTS",
            url="https://immatriculation.ants.gouv.fr/",
            reference_label="Numéro de la demande",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
        ),
    ),
)
