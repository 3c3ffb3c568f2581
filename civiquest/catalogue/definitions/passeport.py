"""Passeport: première demande ou renouvellement, en mairie équipée (source : service-public.fr F21089, F14929)."""

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

MINORS = ["mineur_15_17", "mineur_moins_15"]
# The holder's identity is the citizen's certified one only when the passport is for themselves.
FOR_ME = when("demandeur", "eq", "majeur")

PASSEPORT = ProcedureDefinition(
    slug="passeport",
    appointment_need="PASSPORT",
    issued_title="passport",
    title="Demander ou renouveler un passeport",
    summary=(
        "Faites votre pré-demande en ligne, achetez le timbre fiscal, réunissez vos pièces et déposez "
        "votre dossier en mairie, sur rendez-vous. Le passeport est valable 10 ans pour un majeur, "
        "5 ans pour un mineur."
    ),
    keywords="passeport biométrique voyage titre d’identité ANTS pré-demande timbre fiscal",
    theme=Theme.PAPERS,
    life_events=(LifeEventCode.TRAVEL, LifeEventCode.LOST_PAPERS),
    official_links=(
        fiche("F21089", "Passeport (service-public.fr)"),
        fiche("F14929", "Passeport d’un majeur : première demande (service-public.fr)"),
        (
            "Pré-demande de passeport (ANTS)",
            "https://passeport.ants.gouv.fr/Vos-demarches/Faire-une-pre-demande-passeport",
        ),
        ("Achat du timbre fiscal électronique", "https://timbres.impots.gouv.fr/"),
    ),
    instructing_service="mairie",
    estimated_minutes=25,
    cost_label="86 € pour un majeur, 42 € pour un mineur de 15 à 17 ans, 17 € pour un mineur de moins de 15 ans",
    cost_cents=8600,
    legal_delay_days=None,
    xp_per_step=10,
    completion_xp=100,
    badge_codes=("passeport", "papiers-en-regle"),
    steps=(
        info(
            "avant-de-commencer",
            "Avant de commencer",
            "Le passeport se demande dans n’importe quelle mairie équipée d’un dispositif de recueil, "
            "pas forcément celle de votre domicile, et le plus souvent sur rendez-vous. Vous devez vous y "
            "présenter en personne (avec l’enfant s’il est mineur) pour le dépôt et le retrait.\n"
            "Il est valable 10 ans pour un majeur et 5 ans pour un mineur.",
        ),
        form(
            "situation",
            "Votre situation",
            [
                {
                    "name": "demandeur",
                    "label": "Pour qui demandez-vous le passeport ?",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("majeur", "Pour moi, j’ai 18 ans ou plus"),
                        ("mineur_15_17", "Pour un enfant de 15 à 17 ans"),
                        ("mineur_moins_15", "Pour un enfant de moins de 15 ans"),
                    ),
                },
                {
                    "name": "motif",
                    "label": "Motif de la demande",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("premiere", "Première demande"),
                        ("renouvellement", "Renouvellement (passeport expiré ou bientôt expiré)"),
                        ("perte", "Perte"),
                        ("vol", "Vol"),
                    ),
                },
                {
                    "name": "ancien_numero",
                    "label": "Numéro de l’ancien passeport",
                    "help_text": "9 caractères, par exemple 12AB34567.",
                    "kind": FieldKind.TEXT,
                    "pattern": r"[0-9]{2}[A-Z]{2}[0-9]{5}",
                    "required": False,
                    "condition": when("motif", "eq", "renouvellement"),
                },
            ],
        ),
        form(
            "titulaire",
            "Le titulaire du passeport",
            [
                {
                    "name": "nom",
                    "label": "Nom de naissance",
                    "kind": FieldKind.TEXT,
                    "max_length": 100,
                    "source": FieldSource.FAMILY_NAME,
                    "source_condition": FOR_ME,
                },
                {
                    "name": "nom_usage",
                    "label": "Nom d’usage",
                    "kind": FieldKind.TEXT,
                    "max_length": 100,
                    "required": False,
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
                    "min_date": "1900-01-01",
                    "max_date": "today",
                    "source": FieldSource.BIRTHDATE,
                    "source_condition": FOR_ME,
                },
                {
                    "name": "lieu_naissance",
                    "label": "Commune (ou pays) de naissance",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                    "source": FieldSource.BIRTHPLACE,
                    "source_condition": FOR_ME,
                },
                {
                    "name": "adresse",
                    "label": "Adresse du domicile",
                    "kind": FieldKind.ADDRESS,
                    "source": FieldSource.HOME_ADDRESS,
                },
                {"name": "telephone", "label": "Téléphone", "kind": FieldKind.PHONE, "required": False},
            ],
        ),
        form(
            "representant-legal",
            "Le parent ou tuteur qui fait la demande",
            [
                {
                    "name": "representant_nom",
                    "label": "Nom et prénom du représentant légal",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                },
                {
                    "name": "representant_qualite",
                    "label": "Qualité",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(("mere", "Mère"), ("pere", "Père"), ("tuteur", "Tuteur ou tutrice")),
                },
            ],
            body="Un mineur est accompagné, au dépôt, par la personne qui exerce l’autorité parentale.",
            condition=when("demandeur", "in", MINORS),
        ),
        form(
            "perte-vol",
            "Perte ou vol de l’ancien passeport",
            [
                {
                    "name": "date_perte",
                    "label": "Date de la perte ou du vol",
                    "kind": FieldKind.DATE,
                    "max_date": "today",
                },
                {
                    "name": "commune_perte",
                    "label": "Commune où la perte ou le vol a eu lieu",
                    "kind": FieldKind.COMMUNE,
                    "required": False,
                },
            ],
            body=(
                "En cas de vol, déclarez-le d’abord à la police ou à la gendarmerie et gardez le récépissé. "
                "En cas de perte, la déclaration se fait au moment du dépôt en mairie. "
                "Un passeport déclaré perdu ou volé ne peut plus être utilisé, même retrouvé."
            ),
            condition=when("motif", "in", ["perte", "vol"]),
        ),
        outside_service(
            "pre-demande",
            "Faire la pré-demande en ligne",
            url="https://passeport.ants.gouv.fr/Vos-demarches/Faire-une-pre-demande-passeport",
            reference_label="Numéro de pré-demande",
            reference_pattern=r"[A-Za-z0-9]{10}",
            body=(
                "Sur le site de l’ANTS, remplissez la pré-demande : vous obtenez un numéro de 10 caractères "
                "(lettres majuscules et chiffres) à noter ici et à présenter en mairie."
            ),
        ),
        outside_service(
            "timbre-fiscal",
            "Acheter le timbre fiscal",
            url="https://timbres.impots.gouv.fr/",
            reference_label="Numéro du timbre fiscal électronique",
            reference_pattern=r"[0-9]{16}",
            body=(
                "Achetez un timbre fiscal électronique « passeport » : 86 € pour un majeur, 42 € pour un "
                "mineur de 15 à 17 ans, 17 € pour un mineur de moins de 15 ans. Son numéro compte 16 chiffres."
            ),
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [DocumentType.ID_PHOTO, DocumentType.PROOF_OF_ADDRESS],
            body=(
                "Une photo d’identité de moins de 6 mois, conforme aux normes, et un justificatif de domicile récent."
            ),
        ),
        documents(
            "ancien-passeport",
            "Votre ancien passeport",
            [DocumentType.PASSPORT],
            body="Apportez aussi l’original au rendez-vous : il vous sera repris.",
            condition=when("motif", "eq", "renouvellement"),
        ),
        documents(
            "identite-representant",
            "La pièce d’identité du parent ou du tuteur",
            [DocumentType.IDENTITY_CARD],
            condition=when("demandeur", "in", MINORS),
        ),
        appointment(
            "rendez-vous",
            "Prendre rendez-vous en mairie",
            "Le dépôt se fait en personne, sur rendez-vous ; "
            "vos empreintes digitales sont relevées (à partir de 12 ans).",
        ),
        checklist(
            "preparer",
            "Préparer le rendez-vous",
            [
                "J’ai mon numéro de pré-demande",
                "J’ai mon timbre fiscal",
                "J’ai une photo d’identité de moins de 6 mois, conforme aux normes",
                "J’ai l’original de mon justificatif de domicile",
                "Je viens en personne (avec l’enfant s’il est mineur)",
            ],
        ),
        agent_review(
            "instruction",
            "Instruction par la mairie",
            "La mairie vérifie votre dossier et le transmet pour fabrication. Un SMS ou un courriel vous prévient "
            "quand le passeport est prêt : vous le retirez en personne dans la mairie du dépôt.",
        ),
    ),
    # Thirteen steps: six stages for the stepper (see ``catalogue.stages``).
    stages=(
        ("Votre situation", ("avant-de-commencer", "situation")),
        ("Vos informations", ("titulaire", "representant-legal", "perte-vol")),
        ("Pré-demande et timbre fiscal", ("pre-demande", "timbre-fiscal")),
        ("Pièces justificatives", ("pieces", "ancien-passeport", "identite-representant")),
        ("Rendez-vous en mairie", ("rendez-vous", "preparer")),
        ("Instruction", ("instruction",)),
    ),
)
