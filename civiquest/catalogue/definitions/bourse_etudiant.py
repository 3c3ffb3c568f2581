"""Bourse d’enseignement supérieur sur critères sociaux, demandée par le dossier social étudiant (DSE)
sur messervices.etudiant.gouv.fr (service-public.fr F12214; the pieces: F12216)."""

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

TELESERVICE = "https://www.messervices.etudiant.gouv.fr"

BOURSE_ETUDIANT = ProcedureDefinition(
    slug="bourse-etudiant",
    title="Demander une bourse sur critères sociaux",
    summary=(
        "Entre le 15 janvier et le 15 mai qui précèdent la rentrée, demandez votre bourse d’études supérieures "
        "sur critères sociaux en remplissant en ligne votre dossier social étudiant (DSE). Gratuit."
    ),
    keywords="bourse étudiant Crous DSE dossier social étudiant études supérieures université BCS échelon logement",
    theme=Theme.FAMILY,
    life_events=(LifeEventCode.STUDIES,),
    official_links=(
        fiche("F12214", "Étudiant : bourse sur critères sociaux (service-public.fr)"),
        fiche(
            "F12216",
            "DSE (dossier social étudiant) : comment demander une bourse et/ou un logement ? (service-public.fr)",
        ),
        ("Mes services étudiant", TELESERVICE),
    ),
    estimated_minutes=30,
    cost_label="Gratuit",
    completion_xp=80,
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "La bourse est accordée selon les revenus de votre famille, si vous suivez à plein temps des études "
            "supérieures en formation initiale et avez moins de 28 ans lors de votre première demande. Le même "
            "dossier sert à demander un logement en résidence universitaire. Hors délai, un changement important "
            "et durable de situation (divorce, décès, chômage…) permet d’étudier votre dossier : contactez le "
            "Crous. La bourse est versée en 10 mensualités.",
        ),
        form(
            "etudes",
            "Vos études",
            [
                {
                    "name": "ine",
                    "label": "Numéro INE (identifiant national étudiant)",
                    "help_text": "Sur votre carte d’étudiant ou la confirmation d’inscription au bac. Il sert à "
                    "créer votre compte si vous n’en avez pas.",
                    "kind": FieldKind.TEXT,
                    "pattern": r"[0-9A-Za-z]{11}",
                    "required": False,
                },
                {
                    "name": "etablissement",
                    "label": "Établissement envisagé à la rentrée",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                },
                {"name": "logement", "label": "Demandez-vous aussi un logement au Crous ?", "kind": FieldKind.YES_NO},
            ],
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [DocumentType.TAX_NOTICE, DocumentType.OTHER],
            body="Votre avis fiscal et celui de vos parents, et vos justificatifs de scolarité (et ceux de vos "
            "frères et sœurs s’ils sont étudiants).",
        ),
        outside_service(
            "teleservice",
            "Remplir mon dossier social étudiant",
            url=TELESERVICE,
            reference_label="Numéro du dossier social étudiant",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
            body="À la fin de la saisie, un courriel confirme le dépôt de votre demande : notez ici le numéro "
            "de votre dossier.",
        ),
        checklist(
            "ensuite",
            "Et ensuite",
            [
                "Vérifier le dossier reçu par courriel sous 48 heures et corriger les erreurs",
                "Le renvoyer signé au Crous dans les 8 jours, avec les pièces demandées",
                "Envoyer au Crous mon justificatif d’inscription dans l’enseignement supérieur à la rentrée",
            ],
            required=False,
        ),
    ),
)
