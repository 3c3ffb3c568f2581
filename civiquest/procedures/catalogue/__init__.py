"""CiviQuest's own catalogue: 12 procedures written from official facts (service-public.fr).

``CATALOGUE`` is what ``manage.py catalogue_load`` loads (see ``loader``).
"""

from civiquest.procedures.catalogue.acte_naissance import ACTE_NAISSANCE
from civiquest.procedures.catalogue.base import ProcedureDefinition
from civiquest.procedures.catalogue.carte_grise import CARTE_GRISE_CHANGEMENT_ADRESSE
from civiquest.procedures.catalogue.carte_identite import CARTE_IDENTITE
from civiquest.procedures.catalogue.casier_judiciaire import CASIER_JUDICIAIRE
from civiquest.procedures.catalogue.ceam import CARTE_EUROPEENNE_ASSURANCE_MALADIE
from civiquest.procedures.catalogue.changement_adresse import CHANGEMENT_ADRESSE
from civiquest.procedures.catalogue.declaration_naissance import DECLARATION_NAISSANCE
from civiquest.procedures.catalogue.declaration_revenus import DECLARATION_REVENUS
from civiquest.procedures.catalogue.listes_electorales import INSCRIPTION_LISTES_ELECTORALES
from civiquest.procedures.catalogue.passeport import PASSEPORT
from civiquest.procedures.catalogue.permis_conduire import PERMIS_CONDUIRE
from civiquest.procedures.catalogue.recensement_citoyen import RECENSEMENT_CITOYEN

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
)

__all__ = ["CATALOGUE", "ProcedureDefinition"]
