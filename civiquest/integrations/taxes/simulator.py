"""Income-tax estimate on OpenFisca-France.

OpenFisca's tax-benefit system costs seconds and ~140 MB to build, so it is built once per
process, lazily, under a lock: nothing here imports ``openfisca_france`` at module level (a
test proves other pages never load it). With a broker (production), the computation runs in
the Celery worker of the ``taxes`` queue (``taxes.estimate``), which builds the system once at
start, and the web process waits for its answer: web processes never load OpenFisca, which
keeps each of them small (docs/deployment.md). Without a broker the task runs inline. Results
are cached in the Django cache under the normalized household, so a repeated estimate is free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

# Income years whose parameters OpenFisca-France 176.x holds (the barème follows each finance law).
FIRST_INCOME_YEAR = 2021
LAST_INCOME_YEAR = 2025
MAX_AMOUNT = 10_000_000
MAX_DEPENDANTS = 20
CACHE_SECONDS = 24 * 3600
CACHE_VERSION = "openfisca-france-176.1.8"
# Results asked of OpenFisca (tax household variables, yearly).
OUTPUT_VARIABLES = (
    "impot_revenu_restant_a_payer",
    "nbptr",
    "rfr",
    "rni",
    "ir_ss_qf",
    "ir_plaf_qf",
    "avantage_qf",
    "decote",
    "ir_taux_marginal",
)


class MaritalStatus(StrEnum):
    # The same codes as the ``declaration-revenus`` quest's "situation" field.
    SINGLE = "celibataire"
    MARRIED = "marie_pacse"
    DIVORCED = "divorce_separe"
    WIDOWED = "veuf"


# OpenFisca's ``statut_marital`` for each status (a PACS is taxed as a marriage).
OPENFISCA_STATUS = {
    MaritalStatus.SINGLE: "celibataire",
    MaritalStatus.MARRIED: "marie",
    MaritalStatus.DIVORCED: "divorce",
    MaritalStatus.WIDOWED: "veuf",
}


class SimulatorUnavailable(Exception):
    """The estimate could not be computed in time (the simulator's worker is down or overloaded)."""

    @property
    def user_message(self) -> str:
        return _(
            "Le simulateur ne peut pas calculer d’estimation pour le moment. Ce que vous avez saisi est "
            "conservé : réessayez dans quelques minutes."
        )


class HouseholdError(ValueError):
    """The household cannot be simulated; ``messages`` are translated, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Declarant:
    salaries: int = 0  # taxable salaries of the year (box 1AJ), euros
    pensions: int = 0  # taxable pensions and retirement income (box 1AS), euros
    birth_year: int | None = None  # matters past 65 (special allowance for modest elderly people)


@dataclass(frozen=True)
class Dependant:
    birth_date: dt.date
    alternating_custody: bool = False  # shared residence: a quarter part instead of a half


@dataclass(frozen=True)
class Household:
    income_year: int
    marital_status: MaritalStatus
    declarants: tuple[Declarant, ...]
    dependants: tuple[Dependant, ...] = ()
    # Case T: single, divorced or widowed, living alone with the children (extra half part).
    single_parent: bool = False

    @property
    def is_couple(self) -> bool:
        return self.marital_status is MaritalStatus.MARRIED

    def normalized(self) -> dict[str, Any]:
        """A canonical form: same household, same cache key, whatever the input order."""
        data = asdict(self)
        data["marital_status"] = self.marital_status.value
        data["dependants"] = sorted(
            (
                {"birth_date": d.birth_date.isoformat(), "alternating_custody": d.alternating_custody}
                for d in self.dependants
            ),
            key=lambda d: (d["birth_date"], d["alternating_custody"]),
        )
        data["single_parent"] = self.single_parent and not self.is_couple and bool(self.dependants)
        return data

    @classmethod
    def from_normalized(cls, data: dict[str, Any]) -> Household:
        """The household back from ``normalized()`` (how it travels to the simulator's worker)."""
        return cls(
            income_year=int(data["income_year"]),
            marital_status=MaritalStatus(data["marital_status"]),
            declarants=tuple(Declarant(**declarant) for declarant in data["declarants"]),
            dependants=tuple(
                Dependant(
                    birth_date=dt.date.fromisoformat(dependant["birth_date"]),
                    alternating_custody=bool(dependant["alternating_custody"]),
                )
                for dependant in data["dependants"]
            ),
            single_parent=bool(data["single_parent"]),
        )

    def cache_key(self) -> str:
        raw = json.dumps(self.normalized(), sort_keys=True)
        return f"taxes:simulation:{CACHE_VERSION}:{hashlib.sha256(raw.encode()).hexdigest()}"


def age_to_birth_date(age: int, income_year: int) -> dt.date:
    """A child's age on 1 January of the income year, as a birth date OpenFisca can use."""
    return dt.date(income_year - age - 1, 7, 1) if age else dt.date(income_year, 1, 1)


def validate(household: Household) -> None:
    errors: list[str] = []
    if not FIRST_INCOME_YEAR <= household.income_year <= LAST_INCOME_YEAR:
        errors.append(
            _("L’année des revenus doit être comprise entre %(first)s et %(last)s.")
            % {"first": FIRST_INCOME_YEAR, "last": LAST_INCOME_YEAR}
        )
    expected = 2 if household.is_couple else 1
    if len(household.declarants) != expected:
        errors.append(
            _("Un couple marié ou pacsé déclare deux personnes.")
            if household.is_couple
            else _("Une personne seule déclare un seul revenu : retirez le second déclarant.")
        )
    for declarant in household.declarants:
        if not (0 <= declarant.salaries <= MAX_AMOUNT and 0 <= declarant.pensions <= MAX_AMOUNT):
            errors.append(_("Les montants doivent être compris entre 0 et 10 000 000 €."))
            break
    for declarant in household.declarants:
        if declarant.birth_year is not None and not 1900 <= declarant.birth_year <= household.income_year - 15:
            errors.append(_("L’année de naissance d’un déclarant n’est pas plausible."))
            break
    if len(household.dependants) > MAX_DEPENDANTS:
        errors.append(_("Indiquez au plus 20 personnes à charge."))
    for dependant in household.dependants:
        if dependant.birth_date.year > household.income_year:
            errors.append(_("Un enfant né après l’année des revenus ne compte pas pour cette déclaration."))
            break
        if dependant.birth_date.year < household.income_year - 26:
            errors.append(_("Un enfant à charge a moins de 25 ans (ou est invalide) : vérifiez la date de naissance."))
            break
    if errors:
        raise HouseholdError(errors)


@dataclass(frozen=True)
class Estimate:
    income_year: int
    tax: int  # amount to pay, positive euros (0 when not taxable or below the 61 € collection threshold)
    parts: float
    reference_tax_income: int  # RFR
    net_taxable_income: int  # revenu net imposable
    tax_before_decote: int  # after the quotient familial (and its cap)
    decote: int
    quotient_familial_advantage: int  # what the dependants' parts save, after the cap
    quotient_familial_capped: bool
    marginal_rate: float
    details: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- The tax-benefit system: built once per process, on first use ------------------------------

_system: Any = None
_system_lock = threading.Lock()


def tax_benefit_system() -> Any:
    """``FranceTaxBenefitSystem()``, built at the first call only (double-checked under a lock)."""
    global _system
    if _system is None:
        with _system_lock:
            if _system is None:
                from openfisca_france import FranceTaxBenefitSystem  # noqa: PLC0415 - heavy: web processes never load OpenFisca

                _system = FranceTaxBenefitSystem()
    return _system


def is_loaded() -> bool:
    return _system is not None


def situation_of(household: Household) -> dict[str, Any]:
    """The OpenFisca situation JSON (the web API's format) for one tax household."""
    year = str(household.income_year)
    months = [f"{year}-{month:02d}" for month in range(1, 13)]
    status = OPENFISCA_STATUS[household.marital_status]
    individuals: dict[str, Any] = {}
    for index, declarant in enumerate(household.declarants):
        individuals[f"declarant_{index + 1}"] = {
            "salaire_imposable": {year: declarant.salaries},
            "retraite_imposable": {year: declarant.pensions},
            "date_naissance": {"ETERNITY": f"{declarant.birth_year or household.income_year - 40}-01-01"},
            "statut_marital": dict.fromkeys(months, status),
        }
    for index, dependant in enumerate(household.dependants):
        individuals[f"enfant_{index + 1}"] = {
            "date_naissance": {"ETERNITY": dependant.birth_date.isoformat()},
            "garde_alternee": dict.fromkeys(months, dependant.alternating_custody),
        }
    declarants = [name for name in individuals if name.startswith("declarant_")]
    children = [name for name in individuals if name.startswith("enfant_")]
    single_parent = household.single_parent and not household.is_couple and bool(children)
    return {
        "individus": individuals,
        "foyers_fiscaux": {
            "foyer": {"declarants": declarants, "personnes_a_charge": children, "caseT": {year: single_parent}}
        },
        "menages": {
            "menage": {"personne_de_reference": declarants[:1], "conjoint": declarants[1:], "enfants": children}
        },
        "familles": {"famille": {"parents": declarants, "enfants": children}},
    }


def _uncapped_tax(income_year: int, net_taxable_income: float, parts: float) -> float:
    """The barème applied to one part's income times the parts: the tax before the quotient's cap."""
    if not parts:
        return 0.0
    scale = tax_benefit_system().parameters(f"{income_year}-01-01").impot_revenu.bareme_ir_depuis_1945.bareme
    import numpy  # noqa: PLC0415 - comes with OpenFisca: web processes import this module without loading it

    return float(scale.calc(numpy.array([net_taxable_income / parts]))[0]) * parts


def _compute(household: Household) -> Estimate:
    from openfisca_core.simulation_builder import SimulationBuilder  # noqa: PLC0415 - heavy: web processes never load OpenFisca

    year = str(household.income_year)
    simulation = SimulationBuilder().build_from_entities(tax_benefit_system(), situation_of(household))
    values = {name: float(simulation.calculate(name, year)[0]) for name in OUTPUT_VARIABLES}
    capped = values["ir_plaf_qf"] - _uncapped_tax(household.income_year, values["rni"], values["nbptr"]) > 0.5
    return Estimate(
        income_year=household.income_year,
        # OpenFisca counts what the State is owed as negative.
        tax=max(0, round(-values["impot_revenu_restant_a_payer"])),
        parts=values["nbptr"],
        reference_tax_income=round(values["rfr"]),
        net_taxable_income=round(values["rni"]),
        tax_before_decote=round(values["ir_plaf_qf"]),
        decote=round(values["decote"]),
        quotient_familial_advantage=max(0, round(values["ir_ss_qf"] - values["ir_plaf_qf"])),
        quotient_familial_capped=capped,
        marginal_rate=round(values["ir_taux_marginal"], 4),
        details={name: round(value, 2) for name, value in values.items()},
    )


def simulate(household: Household) -> Estimate:
    """The estimate for this household (validated), from the cache when it was computed already."""
    validate(household)
    key = household.cache_key()
    cached = cache.get(key)
    if cached is not None:
        return Estimate(**cached)
    from civiquest.integrations.taxes.tasks import estimate_in_worker  # noqa: PLC0415 - taxes.tasks imports this module

    return Estimate(**estimate_in_worker(household.normalized()))


def compute_and_cache(household: Household) -> Estimate:
    """Where the computation happens (the ``taxes.estimate`` task): OpenFisca, then the cache."""
    estimate = _compute(household)
    cache.set(household.cache_key(), estimate.as_dict(), CACHE_SECONDS)
    return estimate
