"""The simulator page, its DGFiP import (sandbox over a live socket), and POST /api/v1/taxes/simulate."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from civiquest.accounts.oidc import session as oidc_session
from civiquest.integrations.taxes.impot_particulier import SERVICE
from civiquest.sandbox import dgfip
from civiquest.sandbox.http_faults import HttpFault, inject
from tests.accounts.factories import AgentFactory, login_verified
from tests.accounts.oidc.flow import point_providers_at

pytestmark = pytest.mark.django_db
URL = "/mon-espace/impots/simulateur/"
API = "/api/v1/taxes/simulate"


def text_of(page) -> str:
    return page.content.decode().replace("\u202f", " ").replace("\xa0", " ")


def test_url_name():
    assert reverse("citizen:tax-simulator") == URL


def test_anonymous_is_sent_to_sign_in_and_agents_are_refused(client):
    assert client.get(URL).status_code == 302
    login_verified(client, AgentFactory())
    assert client.get(URL).status_code == 403


def test_the_page_says_it_is_an_estimate_and_links_the_official_simulator(client, citizen):
    login_verified(client, citizen)
    page = text_of(client.get(URL))
    assert "Estimation indicative" in page
    assert "https://www.impots.gouv.fr/simulateurs" in page
    assert "Importer ma situation fiscale" in page


def test_an_estimate_is_shown_as_text(client, citizen):
    login_verified(client, citizen)
    page = client.post(
        URL,
        {
            "action": "simulate",
            "income_year": "2024",
            "marital_status": "marie_pacse",
            "salaries_1": "42000",
            "salaries_2": "31000",
            "children_ages": "8, 6",
        },
    )
    assert page.status_code == 200
    body = text_of(page)
    assert "Impôt estimé : 3 433 €" in body  # digits grouped by three (a narrow no-break space)
    assert "Nombre de parts" in body


def test_bad_input_is_explained_and_kept(client, citizen):
    login_verified(client, citizen)
    page = client.post(
        URL,
        {
            "action": "simulate",
            "income_year": "2024",
            "marital_status": "celibataire",
            "children_ages": "4, bébé",
            "salaries_1": "25000",
        },
    )
    assert page.status_code == 400
    body = text_of(page)
    assert "Écrivez des âges en chiffres" in body
    assert 'value="25000"' in body


def agreed_at_franceconnect(client, citizen) -> str:
    """What the FranceConnect round trip leaves in the session: the token the DGFiP is called with.

    The round trip itself is tested in tests/accounts/oidc/test_data_access.py.
    """
    token = f"sandbox-fc.user-{citizen.pk}"
    session = client.session
    oidc_session.remember_data_access(session, "dgfip", token, 60)
    session.save()
    return token


def test_import_asks_franceconnect_first(client, citizen, dgfip_api, settings, live_server):
    point_providers_at(settings, live_server.url)
    login_verified(client, citizen)
    missing_consent = client.post(URL, {"action": "import"})
    assert "Cochez la case d’accord" in text_of(missing_consent)
    # No agreement yet: off to FranceConnect with the DGFiP's scopes, back here to import.
    response = client.post(URL, {"action": "import", "consent": "on"})
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert {"dgfip_rfr", "dgfip_nbpart", "dgfip_sitfam", "dgfip_aft"} <= set(query["scope"][0].split())


def test_import_fills_the_family_situation(client, citizen, dgfip_api):
    login_verified(client, citizen)
    token = agreed_at_franceconnect(client, citizen)
    page = client.get(URL + "?importer=1")
    assert page.status_code == 200
    profile = dgfip.profile_for(token)
    body = text_of(page)
    # Shown the French way, digits grouped by three ("31 500 €").
    rfr = f"{profile['rfr']:,}".replace(",", " ")
    assert f"revenu fiscal de référence {rfr} €" in body
    # Kept in the session: the next visit still has it.
    assert f"revenu fiscal de référence {rfr} €" in text_of(client.get(URL))
    # While the agreement lasts, the button imports at once.
    again = client.post(URL, {"action": "import", "consent": "on"})
    assert again.status_code == 200 and f"revenu fiscal de référence {rfr} €" in text_of(again)


def test_back_from_franceconnect_without_a_token_imports_nothing(client, citizen, dgfip_api):
    login_verified(client, citizen)
    page = client.get(URL + "?importer=1")
    assert page.status_code == 200 and "Situation transmise par la DGFiP" not in text_of(page)


def test_import_when_the_dgfip_is_down_says_so_and_loses_nothing(client, citizen, dgfip_api):
    login_verified(client, citizen)
    agreed_at_franceconnect(client, citizen)
    client.post(URL, {"action": "import", "consent": "on"})
    inject(SERVICE, HttpFault.SERVER_ERROR, times=3)
    page = client.post(URL, {"action": "import", "consent": "on"})
    body = text_of(page)
    assert "Nous n’arrivons pas à joindre le service des impôts (DGFiP)" in body
    assert "revenu fiscal de référence" in body  # the earlier import is still there


def test_api_simulate(client, citizen):
    login_verified(client, citizen)
    payload = {
        "income_year": 2024,
        "marital_status": "divorce_separe",
        "declarants": [{"salaries": 35000}],
        "dependants": [{"age": 8}],
        "single_parent": True,
    }
    answer = client.post(API, json.dumps(payload), content_type="application/json")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["tax"], data["parts"], data["reference_tax_income"]) == (470, 2.0, 31500)
    assert "Estimation indicative" in data["notice"]


def test_api_validation_errors_are_400_in_french(client, citizen):
    login_verified(client, citizen)
    couple_alone = {"income_year": 2024, "marital_status": "marie_pacse", "declarants": [{"salaries": 1}]}
    answer = client.post(API, json.dumps(couple_alone), content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [{"field": "", "message": "Un couple marié ou pacsé déclare deux personnes."}]
    assert answer.json()["detail"] == "Requête invalide : Un couple marié ou pacsé déclare deux personnes."
    negative = {"income_year": 2024, "marital_status": "celibataire", "declarants": [{"salaries": -5}]}
    answer = client.post(API, json.dumps(negative), content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"field": "declarants.0.salaries", "message": "Ce nombre doit valoir au moins 0."}
    ]
    both = {
        "marital_status": "celibataire",
        "declarants": [{"salaries": 5}],
        "dependants": [{"age": 3, "birth_date": "2020-01-01"}],
    }
    answer = client.post(API, json.dumps(both), content_type="application/json")
    assert answer.status_code == 400
    assert "soit sa date de naissance, soit son âge" in json.dumps(answer.json(), ensure_ascii=False)


def test_api_needs_a_citizen_session_and_csrf(client, citizen):
    payload = json.dumps({"income_year": 2024, "marital_status": "celibataire", "declarants": [{"salaries": 1}]})
    assert client.post(API, payload, content_type="application/json").status_code == 401
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(citizen)
    assert strict.post(API, payload, content_type="application/json").status_code == 403  # no CSRF token


def test_api_rate_limit(client, citizen, settings):
    settings.TAXES_SIMULATIONS_PER_WINDOW = 2
    login_verified(client, citizen)
    payload = json.dumps({"income_year": 2024, "marital_status": "celibataire", "declarants": [{"salaries": 20000}]})
    responses = [client.post(API, payload, content_type="application/json") for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]
    assert 590 <= int(responses[2]["Retry-After"]) <= 600
    assert responses[2].json() == {"detail": "Trop de simulations en peu de temps : réessayez dans quelques minutes."}


def test_the_page_and_the_api_count_against_the_same_limit(client, citizen, settings):
    settings.TAXES_SIMULATIONS_PER_WINDOW = 1
    login_verified(client, citizen)
    payload = json.dumps({"income_year": 2024, "marital_status": "celibataire", "declarants": [{"salaries": 20000}]})
    assert client.post(API, payload, content_type="application/json").status_code == 200
    form = {"action": "simulate", "income_year": "2024", "marital_status": "celibataire", "salaries_1": "20000"}
    page = client.post(URL, form, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many simulations in a short time: try again in a few minutes." in text_of(page)


def test_results_are_cached_by_normalized_household(client, citizen, django_assert_max_num_queries):
    from django.core.cache import cache

    from civiquest.integrations.taxes import simulator

    household = simulator.Household(
        income_year=2024,
        marital_status=simulator.MaritalStatus.SINGLE,
        declarants=(simulator.Declarant(salaries=30000),),
    )
    simulator.simulate(household)
    assert cache.get(household.cache_key())["tax"] == 1588


def test_an_estimate_is_waited_for_while_another_thread_runs_an_eager_task():
    """With tasks run inline (the demo, the tests), Celery marks the whole process "inside a task"
    while one runs: a second request's thread waiting for its estimate then got a 500."""
    from celery.result import denied_join_result

    from civiquest.integrations.taxes import simulator
    from civiquest.integrations.taxes.tasks import estimate_in_worker

    household = simulator.Household(
        income_year=2024,
        marital_status=simulator.MaritalStatus.SINGLE,
        declarants=(simulator.Declarant(salaries=30000),),
    )
    with denied_join_result():  # what another thread's eager task sets, process-wide
        assert estimate_in_worker(household.normalized())["tax"] == 1588
