"""Création d’une micro-entreprise (auto-entreprise) par une déclaration en ligne.

The feed's « particuliers » fiches have none on this; the closest is the « professionnels » fiche
F23264 « Déclaration de micro-entrepreneur (auto-entrepreneur) » (service-public.fr, 2020), cited
below at its address in the feed, with F23257 on when to declare the turnover. That fiche sends to
the online services of the time (guichet-entreprises.fr, autoentrepreneur.urssaf.fr); the
declaration is now made on the guichet unique of business formalities,
formalites.entreprises.gouv.fr, the official source the téléservice step points to.
"""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    checklist,
    choices,
    documents,
    form,
    info,
    outside_service,
    when,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme
from civiquest.documents.models import DocumentType

GUICHET_UNIQUE = "https://formalites.entreprises.gouv.fr/"

CREATION_MICRO_ENTREPRISE = ProcedureDefinition(
    slug="creation-micro-entreprise",
    title="Créer sa micro-entreprise",
    summary=(
        "Une simple déclaration en ligne crée votre micro-entreprise (auto-entreprise), une entreprise "
        "individuelle aux démarches simplifiées, cumulable avec un emploi salarié, des études ou la retraite. "
        "L’immatriculation est gratuite."
    ),
    keywords="micro-entreprise auto-entrepreneur micro-entrepreneur créer son entreprise indépendant SIRET Urssaf",
    theme=Theme.WORK,
    life_events=(LifeEventCode.BUSINESS,),
    official_links=(
        (
            "Déclaration de micro-entrepreneur (service-public.fr, professionnels)",
            "https://www.service-public.fr/professionnels-entreprises/vosdroits/F23264",
        ),
        (
            "Micro-entrepreneur : quand déclarer son chiffre d’affaires ? (service-public.fr, professionnels)",
            "https://www.service-public.fr/professionnels-entreprises/vosdroits/F23257",
        ),
        ("Guichet unique des formalités d’entreprises", GUICHET_UNIQUE),
    ),
    estimated_minutes=30,
    cost_label="Gratuit (immatriculation)",
    completion_xp=80,
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Le micro-entrepreneur exerce en entreprise individuelle : on ne peut pas l’être comme gérant d’une "
            "société. Le statut se garde tant que le chiffre d’affaires annuel reste sous les seuils fixés, et "
            "vous ne facturez pas la TVA. Vous choisissez comment payer votre impôt : versement libératoire, "
            "avec vos cotisations, ou prélèvement à la source (par défaut). Plusieurs activités "
            "(commerciale, artisanale, libérale) peuvent être exercées dans la même micro-entreprise.",
        ),
        form(
            "activite",
            "Votre activité",
            [
                {
                    "name": "nature_activite",
                    "label": "Nature de l’activité principale",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("commerciale", "Commerciale (achat-vente, hébergement…)"),
                        ("artisanale", "Artisanale"),
                        ("liberale", "Libérale"),
                    ),
                },
                {
                    "name": "description_activite",
                    "label": "Description de l’activité",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                },
                {"name": "date_debut", "label": "Date de début d’activité", "kind": FieldKind.DATE},
                {
                    "name": "versement_liberatoire",
                    "label": "Choisissez-vous le versement libératoire de l’impôt ?",
                    "kind": FieldKind.YES_NO,
                },
            ],
        ),
        documents(
            "qualification",
            "Votre qualification professionnelle",
            [DocumentType.OTHER],
            body="De nombreuses activités artisanales demandent une qualification professionnelle : joignez-en "
            "le justificatif.",
            condition=when("nature_activite", "eq", "artisanale"),
        ),
        outside_service(
            "teleservice",
            "Déclarer ma micro-entreprise en ligne",
            url=GUICHET_UNIQUE,
            reference_label="Numéro de la formalité",
            reference_pattern=r"[A-Za-z0-9-]{6,40}",
        ),
        checklist(
            "ensuite",
            "Et ensuite",
            [
                "Choisir, dans le mois qui suit le début d’activité, de déclarer chaque trimestre plutôt que "
                "chaque mois, si je le souhaite",
                "Déclarer mon chiffre d’affaires à chaque échéance, avec la mention « Néant » s’il est nul",
            ],
            required=False,
        ),
    ),
)
