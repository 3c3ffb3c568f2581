"""Recensement citoyen à 16 ans, en ligne (source : service-public.fr F870)."""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    checklist,
    documents,
    fiche,
    form,
    info,
    outside_service,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

RECENSEMENT_CITOYEN = ProcedureDefinition(
    slug="recensement-citoyen",
    title="Se faire recenser à 16 ans",
    summary=(
        "Tout jeune Français se fait recenser entre le jour de ses 16 ans et le dernier jour du 3e mois "
        "qui suit. Il reçoit une attestation de recensement, demandée pour certains examens. Gratuit."
    ),
    keywords="recensement militaire JDC journée défense citoyenneté attestation 16 ans",
    theme=Theme.PAPERS,
    life_events=(LifeEventCode.COMING_OF_AGE,),
    official_links=(
        fiche("F870", "Recensement citoyen (service-public.fr)"),
        ("Recensement en ligne", "https://psl.service-public.fr/mademarche/recensementCitoyen/demarche"),
    ),
    estimated_minutes=10,
    cost_label="Gratuit",
    completion_xp=60,
    badge_codes=("citoyen",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Le recensement permet d’être convoqué à la journée défense et citoyenneté (JDC) et d’être "
            "inscrit d’office sur les listes électorales à 18 ans. Gardez précieusement l’attestation.",
        ),
        form(
            "jeune",
            "Le jeune à recenser",
            [
                {"name": "nom", "label": "Nom", "kind": FieldKind.TEXT, "max_length": 100},
                {"name": "prenoms", "label": "Prénoms", "kind": FieldKind.TEXT, "max_length": 200},
                {
                    "name": "date_naissance",
                    "label": "Date de naissance",
                    "help_text": "Le recensement se fait à partir du jour des 16 ans.",
                    "kind": FieldKind.DATE,
                    "max_date": "today",
                },
            ],
        ),
        documents(
            "pieces", "Vos pièces justificatives", [DocumentType.IDENTITY_CARD, DocumentType.FAMILY_RECORD_BOOK]
        ),
        outside_service(
            "teleservice",
            "Se recenser en ligne",
            url="https://psl.service-public.fr/mademarche/recensementCitoyen/demarche",
            reference_label="Numéro de la demande",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
        ),
        checklist("ensuite", "Et ensuite", ["Conserver l’attestation de recensement"], required=False),
    ),
)
