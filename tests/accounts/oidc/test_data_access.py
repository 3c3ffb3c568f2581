"""A signed-in citizen agrees at FranceConnect to share their tax data: the whole round trip.

CiviQuest sends them to the FranceConnect sandbox with the DGFiP's scopes; they confirm
with the same account; the callback keeps the access token (for its short life) and
returns to the simulator, which calls the DGFiP sandbox with it; the DGFiP sandbox checks
the token with the FranceConnect sandbox. Everything over real HTTP on the live server.
"""

import pytest
from django.urls import reverse

from civiquest.accounts.models import ExternalIdentity
from civiquest.accounts.oidc import session as oidc_session
from civiquest.integrations.taxes.impot_particulier import SERVICE
from civiquest.sandbox import dgfip
from civiquest.sandbox.models import Grant
from tests.accounts.oidc.flow import Visitor, query_of
from tests.accounts.oidc.test_franceconnect import sign_up
from tests.integrations.sandboxes import point_client_at

SIMULATOR = reverse("citizen:tax-simulator")


@pytest.fixture
def dgfip_on_live_server(providers_on_live_server, settings) -> str:
    base_url = providers_on_live_server.url + "/sandbox/dgfip"
    point_client_at(settings, SERVICE, base_url)
    return base_url


def agree(visitor: Visitor, identity: str):
    """Press "Importer ma situation fiscale", confirm at FranceConnect, come back."""
    response = visitor.client.post(SIMULATOR, {"action": "import", "consent": "on"})
    assert response.status_code == 302, response.content.decode()[:300]
    authorize = response["Location"]
    assert {"openid", "dgfip_rfr", "dgfip_nbpart", "dgfip_sitfam", "dgfip_aft"} <= set(
        query_of(authorize)["scope"].split()
    )
    chosen = visitor.choose(visitor.provider_page(authorize), identity)
    assert chosen.status_code == 302, chosen.text[:300]
    back = visitor.back_to_site(chosen.headers["location"])
    assert back.status_code == 302
    return back


def test_the_citizen_agrees_at_franceconnect_and_the_dgfip_answers(visitor, dgfip_on_live_server):
    citizen = sign_up(visitor, "test")
    back = agree(visitor, "test")
    assert back["Location"] == SIMULATOR + "?importer=1"
    page = visitor.client.get(back["Location"]).content.decode().replace("\u202f", " ")
    sub = ExternalIdentity.objects.get(user=citizen).sub
    profile = dgfip.profile_for(f"sandbox-fc.{sub}")
    # Shown the French way, digits grouped by three ("31 500 €").
    assert f"revenu fiscal de référence {profile['rfr']:,} €".replace(",", " ") in page
    # The token is the one FranceConnect issued, not a name the sandbox would take on trust.
    token = oidc_session.data_access_token(visitor.client.session, "dgfip")
    assert token is not None and not token.startswith("sandbox-fc.")


def test_another_franceconnect_account_shares_nothing(visitor, dgfip_on_live_server):
    sign_up(visitor, "test")
    back = agree(visitor, "avec_nom_dusage")
    page = visitor.client.get(back["Location"]).content.decode()
    assert "n’est pas celui de votre espace" in page
    assert "Situation transmise par la DGFiP" not in page
    assert oidc_session.data_access_token(visitor.client.session, "dgfip") is None


def test_the_dgfip_sandbox_refuses_a_token_without_the_tax_scopes(visitor, dgfip_on_live_server, http):
    # A sign-in token (identity scopes only) does not open the tax data.
    sign_up(visitor, "test")
    grant = Grant.objects.exclude(access_token=None).latest("created_at")
    response = http.get(
        dgfip_on_live_server + "/situations/ir/assiettes/annrev/2024",
        headers={"Authorization": f"Bearer {grant.access_token}"},
    )
    assert response.status_code == 401
