"""CiviQuest's own catalogue: 18 procedures written from official facts (service-public.fr).

``CATALOGUE`` is what ``manage.py catalogue_load`` loads (see ``loader``).
"""

from civiquest.catalogue.definitions.acte_naissance import ACTE_NAISSANCE
from civiquest.catalogue.definitions.base import ProcedureDefinition
from civiquest.catalogue.definitions.bourse_etudiant import BOURSE_ETUDIANT
from civiquest.catalogue.definitions.carte_grise import CARTE_GRISE_CHANGEMENT_ADRESSE
from civiquest.catalogue.definitions.carte_identite import CARTE_IDENTITE
from civiquest.catalogue.definitions.casier_judiciaire import CASIER_JUDICIAIRE
from civiquest.catalogue.definitions.ceam import CARTE_EUROPEENNE_ASSURANCE_MALADIE
from civiquest.catalogue.definitions.changement_adresse import CHANGEMENT_ADRESSE
from civiquest.catalogue.definitions.creation_micro_entreprise import CREATION_MICRO_ENTREPRISE
from civiquest.catalogue.definitions.declaration_deces import DECLARATION_DECES
from civiquest.catalogue.definitions.declaration_naissance import DECLARATION_NAISSANCE
from civiquest.catalogue.definitions.declaration_revenus import DECLARATION_REVENUS
from civiquest.catalogue.definitions.demande_retraite import DEMANDE_RETRAITE
from civiquest.catalogue.definitions.inscription_france_travail import INSCRIPTION_FRANCE_TRAVAIL
from civiquest.catalogue.definitions.listes_electorales import INSCRIPTION_LISTES_ELECTORALES
from civiquest.catalogue.definitions.pacs import PACS
from civiquest.catalogue.definitions.passeport import PASSEPORT
from civiquest.catalogue.definitions.permis_conduire import PERMIS_CONDUIRE
from civiquest.catalogue.definitions.recensement_citoyen import RECENSEMENT_CITOYEN

CATALOGUE: tuple[ProcedureDefinition, ...] = (
    PASSEPORT,
    CARTE_IDENTITE,
    CHANGEMENT_ADRESSE,
    DECLARATION_REVENUS,
    INSCRIPTION_LISTES_ELECTORALES,
    RECENSEMENT_CITOYEN,
    ACTE_NAISSANCE,
    CARTE_GRISE_CHANGEMENT_ADRESSE,
    CASIER_JUDICIAIRE,
    CARTE_EUROPEENNE_ASSURANCE_MALADIE,
    PERMIS_CONDUIRE,
    DECLARATION_NAISSANCE,
    DECLARATION_DECES,
    INSCRIPTION_FRANCE_TRAVAIL,
    DEMANDE_RETRAITE,
    CREATION_MICRO_ENTREPRISE,
    BOURSE_ETUDIANT,
    PACS,
)

__all__ = ["CATALOGUE", "ProcedureDefinition"]
