"""Copie ou extrait d’acte de naissance, demandé à la mairie du lieu de naissance (service-public.fr F1427)."""

from civiquest.catalogue.definitions.base import (
    ProcedureDefinition,
    agent_review,
    choices,
    fiche,
    form,
    info,
    when,
)
from civiquest.catalogue.field_sources import FieldSource
from civiquest.catalogue.models import FieldKind, LifeEventCode, Theme

# The person concerned is the citizen (certified identity) only when they say so.
ABOUT_ME = when("lien", "eq", "titulaire")

ACTE_NAISSANCE = ProcedureDefinition(
    slug="acte-naissance",
    title="Demander un acte de naissance",
    summary=(
        "Demandez une copie intégrale ou un extrait de votre acte de naissance à la mairie de votre lieu "
        "de naissance. Gratuit."
    ),
    keywords="état civil copie intégrale extrait filiation plurilingue",
    theme=Theme.PAPERS,
    life_events=(LifeEventCode.UNION, LifeEventCode.LOST_PAPERS),
    official_links=(fiche("F1427", "Acte de naissance : copie intégrale ou extrait (service-public.fr)"),),
    instructing_service="mairie",
    estimated_minutes=5,
    cost_label="Gratuit",
    completion_xp=40,
    badge_codes=("etat-civil",),
    steps=(
        info(
            "a-savoir",
            "À savoir",
            "L’acte est délivré par la mairie du lieu de naissance. La copie intégrale et l’extrait avec "
            "filiation ne sont délivrés qu’à la personne concernée, à ses ascendants, descendants, époux "
            "ou partenaire, ou à son représentant légal.",
        ),
        form(
            "acte",
            "L’acte demandé",
            [
                {
                    "name": "type_acte",
                    "label": "Document souhaité",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("copie_integrale", "Copie intégrale"),
                        ("extrait_filiation", "Extrait avec filiation"),
                        ("extrait_sans_filiation", "Extrait sans filiation"),
                        ("plurilingue", "Extrait plurilingue"),
                    ),
                },
                {
                    "name": "lien",
                    "label": "Vous êtes",
                    "kind": FieldKind.SINGLE_CHOICE,
                    "choices": choices(
                        ("titulaire", "La personne concernée"),
                        ("parent", "Son père ou sa mère"),
                        ("enfant", "Son enfant"),
                        ("conjoint", "Son époux, épouse ou partenaire de Pacs"),
                        ("representant", "Son représentant légal"),
                        ("autre", "Une autre personne"),
                    ),
                },
                {
                    "name": "nom",
                    "label": "Nom de la personne concernée",
                    "kind": FieldKind.TEXT,
                    "max_length": 100,
                    "source": FieldSource.FAMILY_NAME,
                    "source_condition": ABOUT_ME,
                },
                {
                    "name": "prenoms",
                    "label": "Prénoms",
                    "kind": FieldKind.TEXT,
                    "max_length": 200,
                    "source": FieldSource.GIVEN_NAMES,
                    "source_condition": ABOUT_ME,
                },
                {
                    "name": "date_naissance",
                    "label": "Date de naissance",
                    "kind": FieldKind.DATE,
                    "max_date": "today",
                    "source": FieldSource.BIRTHDATE,
                    "source_condition": ABOUT_ME,
                },
                {
                    "name": "nom_pere",
                    "label": "Nom et prénoms du père",
                    "kind": FieldKind.TEXT,
                    "required": False,
                    "condition": when("type_acte", "in", ["copie_integrale", "extrait_filiation"]),
                },
                {
                    "name": "nom_mere",
                    "label": "Nom de naissance et prénoms de la mère",
                    "kind": FieldKind.TEXT,
                    "required": False,
                    "condition": when("type_acte", "in", ["copie_integrale", "extrait_filiation"]),
                },
                {"name": "adresse_envoi", "label": "Adresse d’envoi", "kind": FieldKind.ADDRESS},
            ],
        ),
        agent_review("instruction", "Traitement par le service de l’état civil"),
    ),
)
