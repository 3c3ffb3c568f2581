"""Client of the DGFiP's API Impôt particulier, FranceConnect-scoped variant.

``GET {BASE_URL}/situations/ir/assiettes/annrev/{income year}`` with ``Authorization: Bearer
<the citizen's FranceConnect access token>`` (granted the ``dgfip_rfr``, ``dgfip_nbpart``,
``dgfip_aft`` and ``dgfip_sitfam`` scopes when they signed in): the citizen is identified by
the token, no tax number is typed. Answer (api.gouv.fr swagger): ``rfr``, ``nbPart``, ``aft``
(the tax address on one line), ``aftDetail`` {complementAdresse, voie, commune, codePostal}
and, with ``dgfip_sitfam``, ``sitFam`` (M, C, D, V, O) and ``nbPac``.

Which token: the one FranceConnect gives when the signed-in citizen agrees to share these
data (``data_access_start`` with the ``dgfip`` purpose, then the callback keeps it in the
session for its 60 seconds). The sandbox checks it with the FranceConnect sandbox, as the
DGFiP checks it with FranceConnect, and derives a fake household from the citizen's ``sub``;
contract tests may also send ``sandbox-fc.<sub>``. Real access needs a DataPass habilitation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from civiquest.accounts.oidc.session import data_access_token
from civiquest.core.http import ServiceClient, answer_shape_error

SERVICE = "dgfip"
# The FranceConnect data-access purpose (accounts.oidc.providers.FRANCECONNECT_DATA_SCOPES).
DATA_PURPOSE = "dgfip"
# sitFam codes: marié, célibataire, divorcé/séparé, veuf, pacsé ("O") → the simulator's statuses.
FAMILY_SITUATIONS = {"M": "marie_pacse", "O": "marie_pacse", "C": "celibataire", "D": "divorce_separe", "V": "veuf"}


@dataclass(frozen=True)
class TaxSituation:
    income_year: int
    reference_tax_income: int
    parts: float
    family_situation: str  # the DGFiP code (M, O, C, D, V)
    dependants: int
    tax_address: str
    postcode: str

    @property
    def marital_status(self) -> str:
        return FAMILY_SITUATIONS.get(self.family_situation, "celibataire")


def citizen_token(*, session: SessionBase) -> str | None:
    """The FranceConnect access token the citizen just granted for the DGFiP (None: ask them first).

    ``civiquest.accounts.oidc.views.data_access_start`` sends them to FranceConnect with the
    ``dgfip_*`` scopes; the callback keeps the token in the session for its 60 seconds.
    """
    return data_access_token(session, DATA_PURPOSE)


def _parse(payload: Any, income_year: int) -> TaxSituation:
    if not isinstance(payload, dict):
        raise answer_shape_error(SERVICE, "not an object")
    try:
        detail = payload.get("aftDetail") or {}
        postcode_city = str(detail.get("codePostal") or "")
        return TaxSituation(
            income_year=income_year,
            reference_tax_income=int(payload["rfr"]),
            parts=float(payload["nbPart"]),
            family_situation=str(payload.get("sitFam") or ""),
            dependants=int(payload.get("nbPac") or 0),
            tax_address=str(payload.get("aft") or ""),
            postcode=postcode_city[:5] if postcode_city[:5].isdigit() else "",
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise answer_shape_error(SERVICE, f"unexpected shape: {error}") from error


def tax_situation(*, token: str, income_year: int) -> TaxSituation:
    """The tax situation the DGFiP holds for the token's citizen (raises ``IntegrationError``)."""
    payload = ServiceClient.for_service(SERVICE).get(
        f"situations/ir/assiettes/annrev/{income_year}",
        headers={"Authorization": f"Bearer {token}", "X-Correlation-ID": str(uuid.uuid4())},
    )
    return _parse(payload, income_year)
