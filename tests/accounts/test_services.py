import datetime as dt
import threading

import pytest
from django.db import connection

from civiquest.accounts.identity import AgentIdentity, IdentityPivot, InvalidIdentity
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
from civiquest.accounts.services import (
    agent_invite,
    agent_sign_in,
    citizen_create,
    citizen_sign_in,
    invitation_revoke,
)
from tests.accounts.factories import CitizenFactory, StaffFactory

FC = IdentityProvider.FRANCECONNECT
ANGELA_CLAIMS = {
    "sub": "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",
    "given_name": "Angela Claire Louise",
    "family_name": "DUBOIS",
    "preferred_username": "",
    "birthdate": "1962-08-24",
    "gender": "female",
    "birthplace": "75107",
    "birthcountry": "99100",
    "email": "wossewodda-3728@yopmail.com",
}


def agent_claims(email: str) -> dict[str, str]:
    return {
        "given_name": "Karim",
        "usual_name": "Benali",
        "email": email,
        "uid": "1234",
        "siret": "21988118800015",
        "idp_id": "fia1v2",
    }


@pytest.fixture
def mairie(db):
    return Service.objects.create(name="Mairie de Nouméa", kind=ServiceKind.MAIRIE, commune_code="98818")


class TestIdentityPivot:
    def test_parses_the_identite_pivot(self):
        identity = IdentityPivot.from_claims(ANGELA_CLAIMS)
        assert identity.birthdate == dt.date(1962, 8, 24)
        assert identity.given_names == "Angela Claire Louise"

    def test_born_abroad_has_no_birthplace(self):
        identity = IdentityPivot.from_claims({**ANGELA_CLAIMS, "birthplace": "", "birthcountry": "99217"})
        assert identity.birthplace == ""

    @pytest.mark.parametrize(
        ("claim", "value"),
        [("birthdate", "24/08/1962"), ("gender", "x"), ("birthcountry", "FR"), ("family_name", ""), ("given_name", 3)],
    )
    def test_refuses_malformed_claims(self, claim, value):
        with pytest.raises(InvalidIdentity):
            IdentityPivot.from_claims({**ANGELA_CLAIMS, claim: value})


@pytest.mark.django_db
class TestCitizenAccounts:
    def test_first_sign_in_finds_nobody_then_creation_makes_one_account(self):
        identity = IdentityPivot.from_claims(ANGELA_CLAIMS)
        assert citizen_sign_in(provider=FC, sub="sub-1", identity=identity) is None
        user = citizen_create(provider=FC, sub="sub-1", identity=identity)
        assert user.role == Role.CITIZEN and user.terms_accepted_at is not None
        assert not user.has_usable_password()
        assert citizen_create(provider=FC, sub="sub-1", identity=identity) == user
        assert User.objects.count() == 1 and ExternalIdentity.objects.count() == 1

    def test_each_sign_in_refreshes_the_identity(self):
        user = citizen_create(provider=FC, sub="sub-1", identity=IdentityPivot.from_claims(ANGELA_CLAIMS))
        married = IdentityPivot.from_claims({**ANGELA_CLAIMS, "preferred_username": "MARTIN"})
        assert citizen_sign_in(provider=FC, sub="sub-1", identity=married) == user
        user.refresh_from_db()
        assert user.usage_name == "MARTIN"
        assert user.display_name == "Angela MARTIN"

    def test_contact_email_is_kept_across_sign_ins(self):
        user = citizen_create(provider=FC, sub="sub-1", identity=IdentityPivot.from_claims(ANGELA_CLAIMS))
        user.email = "choisie@example.fr"
        user.save()
        citizen_sign_in(provider=FC, sub="sub-1", identity=IdentityPivot.from_claims(ANGELA_CLAIMS))
        user.refresh_from_db()
        assert user.email == "choisie@example.fr"

    def test_a_non_citizen_account_never_signs_in_as_a_citizen(self):
        staff = StaffFactory()
        ExternalIdentity.objects.create(user=staff, provider=FC, sub="sub-staff")
        identity = IdentityPivot.from_claims(ANGELA_CLAIMS)
        assert citizen_sign_in(provider=FC, sub="sub-staff", identity=identity) is None


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_account_creations_make_one_account():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    identity = IdentityPivot.from_claims(ANGELA_CLAIMS)
    results: list[User] = []
    barrier = threading.Barrier(2)

    def create() -> None:
        barrier.wait()
        results.append(citizen_create(provider=FC, sub="sub-race", identity=identity))
        connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and results[0] == results[1]
    assert ExternalIdentity.objects.filter(sub="sub-race").count() == 1


@pytest.mark.django_db
class TestAgentSignIn:
    def test_an_invited_email_becomes_an_agent_with_the_invited_role(self, mairie):
        agent_invite(email="Karim.Benali@Mairie-Exemple.fr", service=mairie, role=ServiceRole.MANAGER, invited_by=None)
        user = agent_sign_in(
            sub="pc-1", identity=AgentIdentity.from_claims(agent_claims("karim.benali@mairie-exemple.fr"))
        )
        assert user is not None and user.role == Role.AGENT
        assert user.get_full_name() == "Karim Benali"
        membership = ServiceMembership.objects.get(user=user)
        assert membership.service == mairie and membership.role == ServiceRole.MANAGER
        assert AgentInvitation.objects.get().accepted_at is not None

    def test_the_second_sign_in_reuses_the_account(self, mairie):
        agent_invite(
            email="karim.benali@mairie-exemple.fr", service=mairie, role=ServiceRole.INSTRUCTOR, invited_by=None
        )
        identity = AgentIdentity.from_claims(agent_claims("karim.benali@mairie-exemple.fr"))
        first = agent_sign_in(sub="pc-1", identity=identity)
        assert agent_sign_in(sub="pc-1", identity=identity) == first
        assert User.objects.filter(role=Role.AGENT).count() == 1

    def test_an_unknown_email_gets_no_account(self, mairie):
        identity = AgentIdentity.from_claims(agent_claims("inconnu@administration.fr"))
        assert agent_sign_in(sub="pc-2", identity=identity) is None
        assert not User.objects.exists()

    def test_a_revoked_invitation_lets_nobody_in(self, mairie):
        invitation = agent_invite(
            email="karim@mairie.fr", service=mairie, role=ServiceRole.INSTRUCTOR, invited_by=None
        )
        invitation_revoke(invitation=invitation)
        invitation_revoke(invitation=invitation)
        assert agent_sign_in(sub="pc-3", identity=AgentIdentity.from_claims(agent_claims("karim@mairie.fr"))) is None

    def test_a_citizen_email_is_never_turned_into_an_agent(self, mairie):
        CitizenFactory(email="karim@mairie.fr")
        agent_invite(email="karim@mairie.fr", service=mairie, role=ServiceRole.INSTRUCTOR, invited_by=None)
        user = agent_sign_in(sub="pc-4", identity=AgentIdentity.from_claims(agent_claims("karim@mairie.fr")))
        assert user is not None and user.role == Role.AGENT
        assert User.objects.filter(role=Role.CITIZEN, email="karim@mairie.fr").exists()

    def test_inviting_twice_keeps_one_open_invitation(self, mairie):
        agent_invite(email="karim@mairie.fr", service=mairie, role=ServiceRole.INSTRUCTOR, invited_by=None)
        agent_invite(email="KARIM@mairie.fr", service=mairie, role=ServiceRole.MANAGER, invited_by=None)
        invitation = AgentInvitation.objects.get()
        assert invitation.role == ServiceRole.MANAGER


def test_the_folded_search_name_follows_every_name_change(db):
    from civiquest.accounts.models import User

    user = User.objects.create_user(username="noel", first_name="Noël", last_name="Lœuvre-Dupré")
    assert user.search_name == "noel loeuvre dupre"
    user.usage_name = "N'Guyên"
    user.save(update_fields=["usage_name"])
    user.refresh_from_db()
    assert user.search_name == "noel loeuvre dupre n guyen"
