"""Pacte civil de solidarité, enregistré en mairie ou chez un notaire (service-public.fr F1618).

The notary's fees are the amounts the feed's fiche F21539 « Quel est le coût d'un Pacs ? » (2020) gives.
"""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    checklist,
    choices,
    documents,
    fiche,
    form,
    info,
    outside_service,
    when,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

PRE_DEMANDE = "https://www.service-public.fr/particuliers/vosdroits/R46162"

PACS = ProcedureDefinition(
    slug="pacs",
    title="Conclure un Pacs",
    summary=(
        "Les deux partenaires rédigent une convention, puis font enregistrer ensemble leur déclaration de "
        "Pacs à la mairie de leur résidence commune ou chez un notaire. Sans frais si vous rédigez vous-mêmes la "
        "convention."
    ),
    keywords="Pacs pacte civil de solidarité pacser couple convention partenaires mairie notaire union",
    theme=Theme.FAMILY,
    life_events=(LifeEventCode.UNION,),
    official_links=(
        fiche("F1618", "Se pacser (service-public.fr)"),
        fiche("F21539", "Quel est le coût d’un Pacs ? (service-public.fr)"),
        ("Pré-demande de Pacs en ligne", PRE_DEMANDE),
    ),
    estimated_minutes=30,
    cost_label="Gratuit si vous rédigez la convention ; chez un notaire, 230,77 € TTC de rédaction et 125 € "
    "de droit d’enregistrement",
    completion_xp=80,
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Les deux partenaires doivent être majeurs, ni mariés ni pacsés, et sans lien familial direct entre "
            "eux. Ils se présentent en personne et ensemble, avec les originaux de leurs documents, à "
            "l’officier d’état civil de la mairie de leur résidence commune ou chez un notaire. Le Pacs produit "
            "ses effets à la date de son enregistrement.",
        ),
        form(
            "couple",
            "Votre Pacs",
            [
                {
                    "name": "lieu",
                    "label": "Où faites-vous enregistrer le Pacs ?",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(("mairie", "En mairie"), ("notaire", "Chez un notaire")),
                },
                {
                    "name": "commune_residence",
                    "label": "Commune de votre résidence commune",
                    "kind": FieldKind.COMMUNE,
                },
                {
                    "name": "nom_partenaire",
                    "label": "Nom et prénoms de votre partenaire",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                },
                {
                    "name": "union_anterieure",
                    "label": "L’un de vous est-il divorcé ou veuf ?",
                    "kind": FieldKind.YES_NO,
                },
            ],
        ),
        info(
            "convention",
            "La convention de Pacs",
            "Rédigez et signez une seule convention pour vous deux, en français. Elle mentionne au minimum : "
            "« Nous, X et Y, concluons un pacte civil de solidarité régi par les dispositions de la loi du "
            "15 novembre 1999 modifiée et les articles 515-1 à 515-7 du code civil. » Vous pouvez utiliser la "
            "convention-type (cerfa n° 15726), ou la faire rédiger par un notaire.",
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [DocumentType.IDENTITY_CARD, DocumentType.OTHER],
            body="Pour chacun : une pièce d’identité en cours de validité et un acte de naissance de moins de "
            "3 mois. Pour vous deux : la convention et la déclaration conjointe (cerfa n° 15725).",
        ),
        documents(
            "livret",
            "Le livret de famille de l’union précédente",
            [DocumentType.FAMILY_RECORD_BOOK],
            body="Avec la mention du divorce ou du décès.",
            condition=when("union_anterieure", "eq", True),
        ),
        outside_service(
            "pre-demande",
            "Faire la pré-demande en ligne",
            url=PRE_DEMANDE,
            reference_label="Numéro de la pré-demande",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
            body="Dans certaines communes, vous pouvez préparer la démarche en déposant votre dossier en ligne.",
            condition=when("lieu", "eq", "mairie"),
            required=False,
        ),
        checklist(
            "enregistrement",
            "L’enregistrement",
            [
                "Prendre rendez-vous à la mairie ou chez le notaire",
                "Nous présenter ensemble, avec les originaux de nos pièces",
                "Conserver le récépissé d’enregistrement",
            ],
        ),
    ),
)
