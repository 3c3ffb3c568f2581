"""Tax operations on behalf of a citizen: estimates (rate-limited) and the DGFiP import."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civiquest.accounts.models import User
from civiquest.core import ratelimit
from civiquest.integrations.taxes import simulator

ESTIMATE_NOTICE = _(
    "Estimation indicative calculée avec OpenFisca-France à partir des seuls salaires et pensions saisis. "
    "Seul l’avis d’impôt de la DGFiP fait foi : pour un calcul complet, utilisez le simulateur officiel "
    "sur impots.gouv.fr."
)
OFFICIAL_SIMULATOR_URL = "https://www.impots.gouv.fr/simulateurs"


RATE_LIMITED = _("Trop de simulations en peu de temps : réessayez dans quelques minutes.")


def default_income_year(today: dt.date | None = None) -> int:
    """Last year's income (this spring's return), within the years the simulator knows."""
    year = (today or timezone.localdate()).year - 1
    return max(simulator.FIRST_INCOME_YEAR, min(simulator.LAST_INCOME_YEAR, year))


def estimate_for(*, citizen: User, household: simulator.Household) -> simulator.Estimate:
    """A citizen's estimate: counted against their rate limit, then computed (or read from the cache).

    Raises ``civiquest.core.ratelimit.RateLimited`` over the limit (pages and API count together).
    """
    ratelimit.check(
        f"taxes:simulations:{citizen.pk}",
        limit=settings.TAXES_SIMULATIONS_PER_WINDOW,
        window=settings.TAXES_SIMULATION_WINDOW_SECONDS,
        message=RATE_LIMITED,
    )
    return simulator.simulate(household)
