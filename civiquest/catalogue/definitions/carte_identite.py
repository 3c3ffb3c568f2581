"""Carte nationale d’identité, en mairie équipée (source : service-public.fr F1341)."""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    agent_review,
    appointment,
    checklist,
    choices,
    documents,
    fiche,
    form,
    info,
    outside_service,
    when,
)
from civiquest.catalogue.field_sources import FieldSource
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

# The identity is the citizen's certified one only when the card is for themselves.
FOR_ME = when("demandeur", "eq", "majeur")

CARTE_IDENTITE = ProcedureDefinition(
    slug="carte-identite",
    appointment_need="CNI",
    issued_title="identity_card",
    title="Demander ou renouveler une carte d’identité",
    summary=(
        "La carte nationale d’identité est gratuite ; elle coûte 25 € en timbre fiscal si elle doit être "
        "remplacée après une perte ou un vol. Pré-demande en ligne, puis dépôt en mairie sur rendez-vous."
    ),
    keywords="CNI carte nationale d’identité titre ANTS pré-demande perte vol",
    theme=Theme.PAPERS,
    life_events=(LifeEventCode.LOST_PAPERS, LifeEventCode.TRAVEL),
    official_links=(fiche("F1341", "Carte d’identité (service-public.fr)"),),
    instructing_service="mairie",
    estimated_minutes=20,
    cost_label="Gratuite ; 25 € en timbre fiscal en cas de perte ou de vol",
    cost_cents=0,
    xp_per_step=10,
    completion_xp=80,
    badge_codes=("carte-identite", "papiers-en-regle"),
    steps=(
        info(
            "avant-de-commencer",
            "Avant de commencer",
            "La carte se demande dans n’importe quelle mairie équipée d’un dispositif de recueil, sur "
            "rendez-vous. Vous vous présentez en personne pour le dépôt et le retrait.",
        ),
        form(
            "situation",
            "Votre situation",
            [
                {
                    "name": "demandeur",
                    "label": "Pour qui demandez-vous la carte ?",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("majeur", "Pour moi, j’ai 18 ans ou plus"), ("mineur", "Pour un enfant mineur")
                    ),
                },
                {
                    "name": "motif",
                    "label": "Motif de la demande",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("premiere", "Première demande"),
                        ("renouvellement", "Renouvellement"),
                        ("perte", "Perte"),
                        ("vol", "Vol"),
                    ),
                },
                {
                    "name": "nom",
                    "label": "Nom de naissance",
                    "kind": FieldKind.TEXT,
                    "max_length": 100,
                    "source": FieldSource.FAMILY_NAME,
                    "source_condition": FOR_ME,
                },
                {
                    "name": "prenoms",
                    "label": "Prénoms",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                    "source": FieldSource.GIVEN_NAMES,
                    "source_condition": FOR_ME,
                },
                {
                    "name": "date_naissance",
                    "label": "Date de naissance",
                    "kind": FieldKind.DATE,
                    "max_date": "today",
                    "source": FieldSource.BIRTHDATE,
                    "source_condition": FOR_ME,
                },
                {
                    "name": "adresse",
                    "label": "Adresse du domicile",
                    "kind": FieldKind.ADDRESS,
                    "source": FieldSource.HOME_ADDRESS,
                },
                {
                    "name": "representant_nom",
                    "label": "Nom et prénom du parent ou tuteur",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                    "condition": when("demandeur", "eq", "mineur"),
                },
            ],
        ),
        outside_service(
            "timbre-fiscal",
            "Acheter le timbre fiscal de 25 €",
            url="https://timbres.impots.gouv.fr/",
            reference_label="Numéro du timbre fiscal électronique",
            reference_pattern=r"[0-9]{16}",
            body="Une carte perdue ou volée est remplacée contre un timbre fiscal de 25 €.",
            condition=when("motif", "in", ["perte", "vol"]),
        ),
        outside_service(
            "pre-demande",
            "Faire la pré-demande en ligne",
            url="https://passeport.ants.gouv.fr/",
            reference_label="Numéro de pré-demande",
            reference_pattern=r"[A-Za-z0-9]{10}",
            body="Sur le site de l’ANTS, la pré-demande vous donne un numéro de 10 caractères à présenter en mairie.",
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [DocumentType.ID_PHOTO, DocumentType.PROOF_OF_ADDRESS],
            body="Une photo d’identité de moins de 6 mois, conforme aux normes, et un justificatif de domicile.",
        ),
        documents(
            "ancienne-carte",
            "Votre ancienne carte",
            [DocumentType.IDENTITY_CARD],
            condition=when("motif", "eq", "renouvellement"),
        ),
        appointment("rendez-vous", "Prendre rendez-vous en mairie"),
        checklist(
            "preparer",
            "Préparer le rendez-vous",
            [
                "J’ai mon numéro de pré-demande",
                "J’ai une photo d’identité de moins de 6 mois",
                "J’ai l’original de mon justificatif de domicile",
            ],
        ),
        agent_review("instruction", "Instruction par la mairie"),
    ),
    # Nine steps: five stages for the stepper (see ``catalogue.stages``).
    stages=(
        ("Votre situation", ("avant-de-commencer", "situation")),
        ("Timbre fiscal et pré-demande", ("timbre-fiscal", "pre-demande")),
        ("Pièces justificatives", ("pieces", "ancienne-carte")),
        ("Rendez-vous en mairie", ("rendez-vous", "preparer")),
        ("Instruction", ("instruction",)),
    ),
)
