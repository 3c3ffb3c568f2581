"""The DSFR pictogram of each badge: no art of our own, no symbol of the State.

Files of django-dsfr's static (``dsfr/dist/artwork/pictograms/<category>/<name>.svg``), shown
beside the badge's name, so decorative (``alt=""``).
"""

from __future__ import annotations

PICTOGRAMS = "dsfr/dist/artwork/pictograms"
BADGE_PICTOGRAMS: dict[str, str] = {
    "premiere-demarche": "document/document-signature",
    "cinq-demarches": "document/contract",
    "dix-demarches": "document/archive",
    "sans-correction": "system/success",
    "premier-document": "document/document-add",
    "porte-documents": "document/binders",
    "papiers-en-regle": "document/national-identity-card-passport",
    "electeur": "buildings/city-hall",
    "dans-les-temps": "digital/calendar",
    "contribuable": "institutions/money",
    "demenagement": "buildings/house",
    "habitude-4-semaines": "environment/sun",
    "entraide": "environment/human-cooperation",
    "niveau-5": "digital/innovation",
    "niveau-10": "environment/mountain",
    "citoyen": "leisure/community",
    "passeport": "document/passport",
    "carte-identite": "document/national-identity-card",
    "conducteur": "document/driving-license-new",
    "voyageur": "map/luggage",
    "jeune-parent": "health/health",
    "etat-civil": "document/document",
    "emploi": "buildings/companie",
}


def pictogram_of(code: str) -> str:
    """The static path of a badge's pictogram."""
    return f"{PICTOGRAMS}/{BADGE_PICTOGRAMS[code]}.svg"
