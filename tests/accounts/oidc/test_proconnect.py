"""Agents sign in with ProConnect (the sandbox provider, over real HTTP on the live server)."""

from django.urls import reverse

from civiquest.accounts.models import (
    AgentInvitation,
    ExternalIdentity,
    IdentityProvider,
    Role,
    Service,
    ServiceKind,
    ServiceMembership,
    ServiceRole,
    User,
)
from civiquest.accounts.oidc import session as oidc_session
from civiquest.accounts.services import agent_invite
from tests.accounts.oidc.flow import query_of

AGENT_HOME = reverse("agent:home")


def invite_karim() -> Service:
    service = Service.objects.create(name="Mairie de Nouméa", kind=ServiceKind.MAIRIE, commune_code="98818")
    agent_invite(email="Karim.Benali@mairie-exemple.fr", service=service, role=ServiceRole.INSTRUCTOR, invited_by=None)
    return service


def test_the_authorize_request_is_what_proconnect_expects(visitor):
    params = query_of(visitor.start("proconnect"))
    assert set(params) == {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce"}
    assert params["scope"] == "openid email given_name usual_name uid siret idp_id"
    assert params["redirect_uri"].endswith("/compte/connexion/proconnect/retour/")
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32


def test_an_invited_agent_signs_in_and_joins_the_service(visitor):
    service = invite_karim()

    response = visitor.sign_in("proconnect", "karim")

    assert response.status_code == 302 and response["Location"] == AGENT_HOME
    user = User.objects.get(pk=visitor.client.session["_auth_user_id"])
    assert user.role == Role.AGENT
    assert (user.first_name, user.last_name, user.email) == ("Karim", "Benali", "karim.benali@mairie-exemple.fr")
    membership = ServiceMembership.objects.get(user=user)
    assert membership.service == service and membership.role == ServiceRole.INSTRUCTOR
    assert AgentInvitation.objects.get().accepted_at is not None
    link = ExternalIdentity.objects.get(user=user)
    assert link.provider == IdentityProvider.PROCONNECT and link.sub.endswith("v1")
    assert oidc_session.signed_in_with(visitor.client.session)[0] == "proconnect"
    assert visitor.client.get(AGENT_HOME).status_code == 200

    # The next sign-in finds the same account.
    visitor.client.logout()
    assert visitor.sign_in("proconnect", "karim")["Location"] == AGENT_HOME
    assert User.objects.count() == 1


def test_an_agent_nobody_invited_is_refused_and_nothing_is_created(visitor):
    invite_karim()

    response = visitor.sign_in("proconnect", "claire")

    assert response.status_code == 403
    content = response.content.decode()
    assert "claire.dupuis@administration-exemple.gouv.fr" in content
    assert "votre administration doit d’abord vous inviter" in content
    assert not User.objects.filter(email__iexact="claire.dupuis@administration-exemple.gouv.fr").exists()
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in visitor.client.session


def test_an_agent_signs_out_through_proconnect(visitor):
    invite_karim()
    visitor.sign_in("proconnect", "karim")

    end_session = visitor.client.post(reverse("oidc:logout"))["Location"]

    assert "/sandbox/proconnect/api/v2/session/end?" in end_session
    back = visitor.http.get(end_session)
    response = visitor.back_to_site(back.headers["location"])
    assert response.status_code == 302 and response["Location"] == reverse("citizen:home")
    assert "_auth_user_id" not in visitor.client.session


def test_a_proconnect_state_cannot_finish_a_franceconnect_sign_in(visitor):
    location = visitor.callback_location("proconnect", "karim")
    response = visitor.client.get(reverse("oidc:franceconnect-callback"), query_of(location))
    assert response.status_code == 400
    assert "_auth_user_id" not in visitor.client.session
