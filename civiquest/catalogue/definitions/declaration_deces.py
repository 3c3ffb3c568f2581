"""Déclaration de décès à la mairie du lieu du décès, dans les 24 heures (service-public.fr F909).

The guide « Je dois faire face au décès d’un proche » (F16507) sends to F909 for the declaration;
F1444 is the copy of the death certificate the mairie then draws up.
"""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    agent_review,
    choices,
    documents,
    fiche,
    form,
    info,
    when,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

DECLARATION_DECES = ProcedureDefinition(
    slug="declaration-deces",
    title="Déclarer un décès",
    summary=(
        "Le décès est déclaré à la mairie du lieu du décès dans les 24 heures qui suivent sa constatation "
        "(hors week-ends et jours fériés). La mairie établit l’acte de décès. Gratuit."
    ),
    keywords="décès deuil défunt proche acte de décès certificat de décès obsèques pompes funèbres état civil",
    theme=Theme.FAMILY,
    life_events=(LifeEventCode.BEREAVEMENT,),
    official_links=(
        fiche("F909", "Déclaration de décès (service-public.fr)"),
        fiche("F16507", "Je dois faire face au décès d’un proche (service-public.fr)"),
        fiche("F1444", "Acte de décès : demande de copie intégrale (service-public.fr)"),
    ),
    instructing_service="mairie",
    estimated_minutes=15,
    cost_label="Gratuit",
    legal_delay_days=1,
    completion_xp=60,
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Un médecin constate d’abord le décès et établit le certificat de décès. Pour un décès à domicile, "
            "ce sont les proches qui le déclarent : un parent ou toute personne qui connaît l’état civil du "
            "défunt. L’entreprise de pompes funèbres peut aussi s’en charger. En cas de mort violente "
            "(accident, suicide), prévenez immédiatement la police ou la gendarmerie (17 ou 112). Passé le "
            "délai de 24 heures, l’officier d’état civil enregistre tout de même la déclaration.",
        ),
        form(
            "deces",
            "Le décès",
            [
                {
                    "name": "lieu_deces",
                    "label": "Où le décès a-t-il eu lieu ?",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("domicile", "À domicile"),
                        ("etablissement", "À l’hôpital, en clinique ou en maison de retraite"),
                        ("voie_publique", "Sur la voie publique"),
                    ),
                },
                {
                    "name": "date_deces",
                    "label": "Date du décès",
                    "kind": FieldKind.DATE,
                    "min_date": "today-30",
                    "max_date": "today",
                },
                {"name": "commune_deces", "label": "Commune du décès", "kind": FieldKind.COMMUNE},
            ],
        ),
        info(
            "etablissement",
            "L’établissement déclare le décès",
            "Pour un décès à l’hôpital ou en maison de retraite, c’est l’établissement qui se charge de la "
            "déclaration. Vérifiez auprès de lui qu’elle a bien été faite.",
            condition=when("lieu_deces", "eq", "etablissement"),
        ),
        form(
            "defunt",
            "La personne décédée",
            [
                {"name": "nom_defunt", "label": "Nom", "kind": FieldKind.TEXT, "max_length": 100},
                {"name": "prenoms_defunt", "label": "Prénoms", "kind": FieldKind.TEXT, "max_length": 200},
                {
                    "name": "date_naissance_defunt",
                    "label": "Date de naissance",
                    "kind": FieldKind.DATE,
                    "max_date": "today",
                },
                {
                    "name": "lien_declarant",
                    "label": "Votre lien avec la personne décédée",
                    "help_text": "Par exemple : fils, épouse, voisin.",
                    "kind": FieldKind.TEXT,
                    "max_length": 100,
                },
            ],
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [DocumentType.IDENTITY_CARD, DocumentType.OTHER],
            body="Votre pièce d’identité et, si possible, le certificat de décès délivré par le médecin, le "
            "commissariat ou la gendarmerie.",
        ),
        documents(
            "identite-defunt",
            "L’identité de la personne décédée",
            [DocumentType.FAMILY_RECORD_BOOK],
            body="Si vous l’avez : le livret de famille, une pièce d’identité ou un acte de naissance du défunt.",
            required=False,
        ),
        agent_review("instruction", "Établissement de l’acte de décès par l’officier d’état civil"),
    ),
)
