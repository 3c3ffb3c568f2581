import pytest
from django.urls import reverse

from civiquest.accounts.models import AgentInvitation, Service, ServiceKind, ServiceRole
from civiquest.accounts.services import agent_invite
from tests.accounts.factories import login_verified


@pytest.fixture
def mairie(db):
    return Service.objects.create(name="Mairie de Nouméa", kind=ServiceKind.MAIRIE)


def test_staff_invite_an_agent_to_a_service(client, staff, mairie):
    login_verified(client, staff)
    response = client.post(
        reverse("staff:agents"),
        {"email": "Karim.Benali@mairie.fr", "service": mairie.pk, "role": ServiceRole.MANAGER},
        follow=True,
    )
    assert "karim.benali@mairie.fr est invité dans le service Mairie de Nouméa." in response.content.decode()
    invitation = AgentInvitation.objects.get()
    assert (invitation.email, invitation.service, invitation.role, invitation.invited_by) == (
        "karim.benali@mairie.fr",
        mairie,
        ServiceRole.MANAGER,
        staff,
    )


def test_a_bad_invitation_names_the_fields_and_keeps_what_was_typed(client, staff, mairie):
    login_verified(client, staff)
    response = client.post(reverse("staff:agents"), {"email": "pas-une-adresse", "service": "", "role": "chef"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in content
    assert 'value="pas-une-adresse"' in content
    assert "Ce champ est obligatoire." in content
    assert not AgentInvitation.objects.exists()


def test_staff_revoke_an_invitation(client, staff, mairie):
    invitation = agent_invite(email="karim@mairie.fr", service=mairie, role=ServiceRole.INSTRUCTOR, invited_by=None)
    login_verified(client, staff)
    response = client.post(reverse("staff:invitation-revoke", args=[invitation.pk]), follow=True)
    assert "L’invitation de karim@mairie.fr est révoquée." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "karim@mairie.fr" not in client.get(reverse("staff:agents")).content.decode()


def test_the_agents_page_costs_a_bounded_number_of_queries(client, staff, mairie, django_assert_max_num_queries):
    for index in range(20):
        agent_invite(email=f"agent{index}@mairie.fr", service=mairie, role=ServiceRole.INSTRUCTOR, invited_by=None)
    login_verified(client, staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("staff:agents"))
    assert response.status_code == 200
    assert response.content.decode().count("@mairie.fr</th>") == 20


def test_staff_take_an_agent_out_of_a_service_and_it_is_audited(client, staff, mairie, django_assert_max_num_queries):
    from civiquest.accounts.models import AuditEvent, ServiceMembership
    from tests.accounts.factories import AgentFactory

    agent = AgentFactory(first_name="Karim", last_name="Benali")
    membership = ServiceMembership.objects.create(user=agent, service=mairie, role=ServiceRole.INSTRUCTOR)
    for _number in range(5):
        ServiceMembership.objects.create(user=AgentFactory(), service=mairie, role=ServiceRole.INSTRUCTOR)
    login_verified(client, staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("staff:agents")).content.decode()
    assert "Karim Benali" in page and "Retirer du service" in page
    url = reverse("staff:membership-revoke", args=[membership.pk])
    response = client.post(url, follow=True)
    assert "Karim Benali ne fait plus partie du service Mairie de Nouméa." in response.content.decode()
    assert not ServiceMembership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action="agent.membership_revoke")
    assert event.actor == staff and event.target_id == str(agent.pk) and event.details["service"] == mairie.pk
    assert client.post(url).status_code == 404  # already out: nothing more happens
    assert AuditEvent.objects.filter(action="agent.membership_revoke").count() == 1
