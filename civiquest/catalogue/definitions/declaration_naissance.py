"""Déclaration de naissance à la mairie du lieu de naissance (service-public.fr F961)."""

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

DECLARATION_NAISSANCE = ProcedureDefinition(
    slug="declaration-naissance",
    title="Déclarer une naissance",
    summary=(
        "La naissance est déclarée à la mairie du lieu de naissance dans les 5 jours qui suivent "
        "l’accouchement (le jour de la naissance n’est pas compté). Gratuit."
    ),
    keywords="naissance bébé acte de naissance état civil livret de famille",
    theme=Theme.FAMILY,
    life_events=(LifeEventCode.BIRTH,),
    official_links=(fiche("F961", "Déclaration de naissance (service-public.fr)"),),
    instructing_service="mairie",
    estimated_minutes=15,
    cost_label="Gratuit",
    legal_delay_days=5,
    completion_xp=100,
    badge_codes=("jeune-parent",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "La déclaration peut être faite par le père, ou à défaut par toute personne ayant assisté à "
            "l’accouchement. Passé le délai de 5 jours, seul un jugement du tribunal permet l’inscription.",
        ),
        form(
            "enfant",
            "L’enfant",
            [
                {"name": "nom_enfant", "label": "Nom de l’enfant", "kind": FieldKind.TEXT, "max_length": 100},
                {"name": "prenoms_enfant", "label": "Prénoms de l’enfant", "kind": FieldKind.TEXT, "max_length": 200},
                {
                    "name": "sexe",
                    "label": "Sexe",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(("f", "Féminin"), ("m", "Masculin")),
                },
                {
                    "name": "date_naissance",
                    "label": "Date de naissance",
                    "kind": FieldKind.DATE,
                    "min_date": "today-30",
                    "max_date": "today",
                },
                {"name": "commune_naissance", "label": "Commune de naissance", "kind": FieldKind.COMMUNE},
            ],
        ),
        form(
            "parents",
            "Les parents",
            [
                {"name": "parents_maries", "label": "Les parents sont-ils mariés ?", "kind": FieldKind.YES_NO},
                {
                    "name": "reconnaissance_anticipee",
                    "label": "Le père a-t-il reconnu l’enfant avant la naissance ?",
                    "kind": FieldKind.YES_NO,
                    "condition": when("parents_maries", "eq", False),
                },
                {
                    "name": "choix_nom",
                    "label": "Faites-vous une déclaration conjointe de choix de nom ?",
                    "kind": FieldKind.YES_NO,
                },
            ],
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [DocumentType.IDENTITY_CARD, DocumentType.OTHER],
            body="Votre pièce d’identité et le certificat d’accouchement délivré par la maternité.",
        ),
        documents(
            "livret",
            "Votre livret de famille",
            [DocumentType.FAMILY_RECORD_BOOK],
            body="Si vous en avez déjà un, il sera mis à jour.",
            required=False,
        ),
        agent_review("instruction", "Établissement de l’acte par l’officier d’état civil"),
    ),
)
