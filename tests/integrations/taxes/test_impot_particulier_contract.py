"""The production API Impôt particulier client against the DGFiP sandbox over a live socket, faults included."""

from __future__ import annotations

import time

import httpx
import pytest

from civiquest.core.http import BadAnswer, CircuitOpen, RequestRejected, ServiceUnavailable
from civiquest.integrations.taxes import impot_particulier
from civiquest.integrations.taxes.impot_particulier import SERVICE
from civiquest.sandbox import dgfip
from civiquest.sandbox.http_faults import HttpFault, inject, requests_seen

pytestmark = pytest.mark.django_db

TOKEN = "sandbox-fc.b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1"


def test_normal_answer_has_the_documented_shape(dgfip_api):
    raw = httpx.get(
        f"{dgfip_api}/situations/ir/assiettes/annrev/2024", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json()
    assert set(raw) == {"rfr", "nbPart", "aft", "aftDetail", "sitFam", "nbPac"}
    assert set(raw["aftDetail"]) == {"complementAdresse", "voie", "commune", "codePostal"}
    situation = impot_particulier.tax_situation(token=TOKEN, income_year=2024)
    profile = dgfip.profile_for(TOKEN)
    assert situation.reference_tax_income == profile["rfr"]
    assert situation.parts == profile["nbPart"]
    assert situation.family_situation == profile["sitFam"]
    assert situation.postcode == profile["codePostal"][:5]
    assert situation.income_year == 2024


def test_households_are_deterministic_and_varied():
    tokens = [f"sandbox-fc.sub-{number}" for number in range(60)]
    assert dgfip.profile_for(tokens[0]) == dgfip.profile_for(tokens[0])
    assert len({dgfip.profile_for(token)["rfr"] for token in tokens}) >= 4


def test_no_token_is_401_and_a_year_without_return_404(dgfip_api):
    anonymous = httpx.get(f"{dgfip_api}/situations/ir/assiettes/annrev/2024")
    assert anonymous.status_code == 401
    assert set(anonymous.json()) == {"reason", "message", "error"}
    with pytest.raises(RequestRejected) as missing:
        impot_particulier.tax_situation(token=TOKEN, income_year=2999)
    assert missing.value.status == 404
    assert set(missing.value.payload) == {"reason", "message", "error"}


def test_timeout_then_retry_succeeds(dgfip_api):
    inject(SERVICE, HttpFault.SLOW, times=1)
    started = time.monotonic()
    situation = impot_particulier.tax_situation(token=TOKEN, income_year=2024)
    assert situation.reference_tax_income > 0
    assert time.monotonic() - started < 1.5  # the slow answer was not waited for


def test_timeouts_every_time_raise_service_unavailable(dgfip_api):
    inject(SERVICE, HttpFault.SLOW, times=3)
    with pytest.raises(ServiceUnavailable) as error:
        impot_particulier.tax_situation(token=TOKEN, income_year=2024)
    assert "timeout" in error.value.detail
    assert "DGFiP" in error.value.user_message


def test_429_is_retried_after_retry_after(dgfip_api):
    inject(SERVICE, HttpFault.TOO_MANY_REQUESTS, times=1)
    assert impot_particulier.tax_situation(token=TOKEN, income_year=2024).parts >= 1
    assert requests_seen(SERVICE) == 2


def test_500_every_time_is_unavailable(dgfip_api):
    inject(SERVICE, HttpFault.SERVER_ERROR, times=3)
    with pytest.raises(ServiceUnavailable):
        impot_particulier.tax_situation(token=TOKEN, income_year=2024)
    assert requests_seen(SERVICE) == 3


def test_malformed_json_is_a_bad_answer(dgfip_api):
    inject(SERVICE, HttpFault.MALFORMED_JSON, times=1)
    with pytest.raises(BadAnswer):
        impot_particulier.tax_situation(token=TOKEN, income_year=2024)


def test_circuit_opens_then_recovers(dgfip_api):
    inject(SERVICE, HttpFault.SERVER_ERROR, times=9)
    for _attempt in range(3):  # FAILURE_THRESHOLD = 3 failed calls (3 requests each)
        with pytest.raises(ServiceUnavailable):
            impot_particulier.tax_situation(token=TOKEN, income_year=2024)
    seen = requests_seen(SERVICE)
    with pytest.raises(CircuitOpen):
        impot_particulier.tax_situation(token=TOKEN, income_year=2024)
    assert requests_seen(SERVICE) == seen  # no call while open
    time.sleep(1.1)  # RECOVERY_SECONDS
    assert impot_particulier.tax_situation(token=TOKEN, income_year=2024).reference_tax_income > 0
