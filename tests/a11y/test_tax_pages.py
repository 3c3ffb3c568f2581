"""The tax simulator in the browser: keyboard-reachable form, an estimate, the DGFiP import; axe on each state."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.accounts.oidc import session as oidc_session
from civiquest.integrations.taxes import simulator
from civiquest.integrations.taxes.impot_particulier import SERVICE
from civiquest.sandbox import http_faults
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import CitizenFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dgfip_on_live_server(live_server, settings):
    settings.INTEGRATIONS = {
        **settings.INTEGRATIONS,
        SERVICE: {**settings.INTEGRATIONS[SERVICE], "BASE_URL": live_server.url + "/sandbox/dgfip", "TIMEOUT": 2.0},
    }
    http_faults.clear(SERVICE)
    # OpenFisca's first load takes seconds: done here, so the click below does not time out.
    simulator.simulate(
        simulator.Household(2024, simulator.MaritalStatus.SINGLE, (simulator.Declarant(salaries=20000),))
    )
    yield
    http_faults.clear(SERVICE)


def test_simulate_then_import_with_axe(browser_page_as, live_server, dgfip_on_live_server, client):
    citizen = CitizenFactory()
    page = browser_page_as(citizen)
    # As if the citizen had just agreed at FranceConnect (that round trip: tests/accounts/oidc/test_data_access.py).
    session = client.session
    oidc_session.remember_data_access(session, "dgfip", f"sandbox-fc.user-{citizen.pk}", 600)
    session.save()
    page.goto(live_server.url + reverse("citizen:tax-simulator"))
    assert_no_violations(page)

    page.locator("#id_income_year").select_option("2024")
    page.locator("label", has_text="Célibataire").click()
    page.locator("#id_salaries_1").fill("30000")
    page.get_by_role("button", name="Estimer mon impôt").click()
    page.wait_for_load_state()
    assert "1588" in page.locator("#resultat").inner_text().replace("\u202f", "").replace(" ", "")
    assert_no_violations(page)

    # Bad input: the error is announced next to its field, what was typed stays.
    page.locator("#id_children_ages").fill("quatre")
    page.get_by_role("button", name="Estimer mon impôt").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Écrivez des âges en chiffres")).to_have_count(1)
    assert page.locator("#id_salaries_1").input_value() == "30000"
    assert_no_violations(page)

    page.locator("label[for=tax-consent]").click()
    page.get_by_role("button", name="Importer ma situation fiscale").click()
    page.wait_for_load_state()
    assert page.get_by_text("Situation transmise par la DGFiP").count() == 1
    assert_no_violations(page)

    http_faults.inject(SERVICE, http_faults.HttpFault.SERVER_ERROR, times=10)
    page.locator("label[for=tax-consent]").click()
    page.get_by_role("button", name="Importer ma situation fiscale").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").filter(has_text="DGFiP").count() == 1
    assert_no_violations(page)
