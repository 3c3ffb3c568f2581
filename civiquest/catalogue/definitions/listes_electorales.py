"""Inscription sur les listes électorales, en ligne (source : service-public.fr F1367)."""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    documents,
    fiche,
    form,
    info,
    outside_service,
)
from civiquest.catalogue.inputs import IDENTITY_PROOF
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

INSCRIPTION_LISTES_ELECTORALES = ProcedureDefinition(
    slug="inscription-listes-electorales",
    title="S’inscrire sur les listes électorales",
    summary=(
        "Pour voter, inscrivez-vous dans votre commune, en ligne, toute l’année ; pour voter à une élection, "
        "au plus tard le 6e vendredi précédant le 1er tour. Gratuit."
    ),
    keywords="vote élections inscription électorale mairie",
    theme=Theme.PAPERS,
    life_events=(LifeEventCode.MOVING, LifeEventCode.COMING_OF_AGE),
    official_links=(
        fiche("F1367", "Listes électorales : nouvelle inscription (service-public.fr)"),
        ("Demande d’inscription en ligne", "https://psl.service-public.fr/mademarche/InscriptionElectorale/demarche"),
    ),
    estimated_minutes=10,
    cost_label="Gratuit",
    completion_xp=60,
    badge_codes=("citoyen", "electeur"),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Un jeune recensé à 16 ans est inscrit d’office à 18 ans. Après un déménagement, il faut "
            "s’inscrire dans la nouvelle commune.",
        ),
        form(
            "commune",
            "Votre commune d’inscription",
            [
                {
                    "name": "commune",
                    "label": "Commune où vous voulez voter",
                    "help_text": "Tapez son nom ou son code postal, puis choisissez-la dans la liste.",
                    "kind": FieldKind.COMMUNE,
                }
            ],
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [IDENTITY_PROOF, DocumentType.PROOF_OF_ADDRESS],
            body="Une carte nationale d’identité ou un passeport (valide ou périmé depuis moins de 5 ans), et un "
            "justificatif de domicile de moins de 3 mois. Vous joindrez leur version numérisée au téléservice.",
        ),
        outside_service(
            "teleservice",
            "Demander l’inscription en ligne",
            url="https://psl.service-public.fr/mademarche/InscriptionElectorale/demarche",
            reference_label="Numéro de la demande",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
        ),
    ),
)
