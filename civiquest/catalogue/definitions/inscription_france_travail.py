"""Inscription comme demandeur d’emploi, en ligne (service-public.fr F1636).

The feed's fiche (2020) still names the operator Pôle emploi, now France Travail; the online
registration's address is the one the fiche gives (R49998).
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
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

TELESERVICE = "https://candidat.pole-emploi.fr/inscription/preambule"

INSCRIPTION_FRANCE_TRAVAIL = ProcedureDefinition(
    slug="inscription-france-travail",
    title="S’inscrire à France Travail",
    summary=(
        "Sans emploi, inscrivez-vous en ligne comme demandeur d’emploi à France Travail (ex-Pôle emploi), "
        "dès le lendemain de votre dernier jour de travail, pour être accompagné et demander vos allocations "
        "chômage. Gratuit."
    ),
    keywords="chômage demandeur d’emploi Pôle emploi France Travail inscription allocation ARE licenciement",
    theme=Theme.WORK,
    life_events=(LifeEventCode.JOB,),
    official_links=(
        fiche("F1636", "Chômage : inscription à Pôle emploi (service-public.fr)"),
        fiche("F17556", "Je recherche un emploi (service-public.fr)"),
        ("S’inscrire en ligne", TELESERVICE),
    ),
    estimated_minutes=20,
    cost_label="Gratuit",
    completion_xp=60,
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Vous pouvez vous inscrire à tout moment si vous êtes sans emploi, et dès le lendemain de votre "
            "dernier jour de travail si vous avez perdu votre emploi. Vous devez être disponible pour "
            "travailler. Pour percevoir les allocations chômage, inscrivez-vous au plus tard dans les 12 mois "
            "qui suivent la fin de votre contrat. L’inscription prend effet le jour de son enregistrement.",
        ),
        form(
            "situation",
            "Votre situation",
            [
                {
                    "name": "inscription",
                    "label": "Votre inscription",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("premiere", "Première inscription"),
                        ("reinscription", "Réinscription"),
                    ),
                },
                {
                    "name": "date_fin_contrat",
                    "label": "Date de votre dernier jour de travail",
                    "help_text": "Laissez vide si vous n’avez pas encore travaillé.",
                    "kind": FieldKind.DATE,
                    "max_date": "today",
                    "required": False,
                },
            ],
        ),
        documents(
            "pieces",
            "Vos pièces justificatives",
            [DocumentType.IDENTITY_CARD, DocumentType.BANK_DETAILS],
            body="Votre pièce d’identité, et votre relevé d’identité bancaire pour recevoir l’allocation "
            "chômage si vous y avez droit. Votre numéro de sécurité sociale vous sera aussi demandé.",
        ),
        outside_service(
            "teleservice",
            "S’inscrire en ligne",
            url=TELESERVICE,
            reference_label="Identifiant de demandeur d’emploi",
            reference_pattern=r"[0-9]{7}[A-Za-z0-9]",
            body="Créez votre espace personnel et remplissez vos informations. Votre attestation "
            "d’inscription se trouve ensuite dans votre espace personnel.",
        ),
        checklist(
            "ensuite",
            "Et ensuite",
            [
                "Prendre rendez-vous dans mon espace personnel pour l’entretien, dans les 30 jours qui suivent "
                "l’inscription",
                "Ajouter mon CV, mes diplômes et mes certificats de travail à mon espace personnel",
                "Actualiser ma situation chaque mois, pour ne pas être radié",
            ],
            required=False,
        ),
    ),
)
