"""Demande de retraite d’un salarié du secteur privé, en ligne (service-public.fr F13941).

The guide « Je prépare ma retraite » (F17904) sends to F13941: one online request reaches every
basic and complementary scheme, made 4 to 6 months before the chosen date (6 months for
Agirc-Arrco). The feed's fiche (2020) names the Assurance retraite's site
(mademandederetraitenligne.fr) for the request and lists « Mon compte retraite » on
info-retraite.fr, the inter-scheme portal the téléservice step points to.
"""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    checklist,
    choices,
    fiche,
    form,
    info,
    outside_service,
    when,
)
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme

TELESERVICE = "https://www.info-retraite.fr/portail-services/"

DEMANDE_RETRAITE = ProcedureDefinition(
    slug="demande-retraite",
    title="Demander sa retraite",
    summary=(
        "Entre 4 et 6 mois avant la date de départ choisie, faites une seule demande de retraite en ligne : "
        "elle est transmise à tous vos régimes, de base et complémentaires. Gratuit."
    ),
    keywords="retraite pension départ à la retraite liquidation Assurance retraite Cnav Agirc-Arrco info-retraite",
    theme=Theme.WORK,
    life_events=(LifeEventCode.RETIREMENT,),
    official_links=(
        fiche(
            "F13941", "Départ en retraite du salarié : quelles sont les démarches à effectuer ? (service-public.fr)"
        ),
        fiche("F17904", "Je prépare ma retraite (service-public.fr)"),
        ("Mon compte retraite (info-retraite.fr)", TELESERVICE),
        ("Demander sa retraite en ligne (Assurance retraite)", "https://www.mademandederetraitenligne.fr/"),
    ),
    estimated_minutes=30,
    cost_label="Gratuit",
    completion_xp=80,
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "Faites votre demande entre 4 et 6 mois avant la date de départ souhaitée (6 mois avant pour la "
            "retraite complémentaire Agirc-Arrco). En ligne, une seule demande suffit pour tous vos régimes de "
            "retraite ; par courrier (formulaire cerfa n° 10916), chaque régime complémentaire demande la "
            "sienne. Quelques semaines avant votre départ, l’Assurance retraite vous écrit le montant de votre "
            "retraite et sa date de départ.",
        ),
        form(
            "depart",
            "Votre départ",
            [
                {
                    "name": "date_depart",
                    "label": "Date de départ souhaitée",
                    "kind": FieldKind.DATE,
                    "min_date": "today",
                },
                {
                    "name": "situation",
                    "label": "Votre situation aujourd’hui",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("salarie", "Salarié(e)"),
                        ("demandeur_emploi", "Demandeur d’emploi"),
                        ("autre", "Autre situation"),
                    ),
                },
            ],
        ),
        outside_service(
            "teleservice",
            "Demander ma retraite en ligne",
            url=TELESERVICE,
            reference_label="Numéro de la demande de retraite",
            reference_pattern=r"[A-Za-z0-9-]{4,40}",
            body="Connectez-vous (FranceConnect est accepté), renseignez votre date de départ, complétez la demande "
            "préremplie et joignez les pièces demandées, scannées ou photographiées. Vous suivez ensuite "
            "l’avancement de la demande en ligne.",
        ),
        checklist(
            "employeur",
            "Prévenir mon employeur",
            [
                "Prévenir mon employeur assez tôt pour respecter mon préavis",
                "L’informer par lettre recommandée avec accusé de réception",
            ],
            condition=when("situation", "eq", "salarie"),
            required=False,
        ),
        checklist(
            "france-travail",
            "Prévenir France Travail",
            ["Déclarer mon départ à la retraite dans mon espace personnel (changement de situation)"],
            condition=when("situation", "eq", "demandeur_emploi"),
            required=False,
        ),
    ),
)
