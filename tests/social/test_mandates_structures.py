# ruff: noqa: F811 - the fixtures are imported from tests.social.mandate_setup
"""Helper structures: staff create them and add members by e-mail; a manager sees the mandates of
their structure's helpers (people, domains, dates, status), never their content; another
structure's manager sees nothing of them."""

from __future__ import annotations

from django.urls import reverse

from civiquest.social.mandates.models import HelperStructure, StructureMember, StructureRole
from tests.accounts.factories import AgentFactory, CitizenFactory, StaffFactory, login_verified
from tests.quests.fixtures import mairie  # noqa: F401
from tests.social.mandate_setup import grant, world  # noqa: F401


def test_the_manager_sees_their_helpers_mandates_not_their_content(client, world, django_assert_max_num_queries):
    grant(world.citizen, world.helper, ["papiers"])
    client.force_login(world.manager)
    url = reverse("citizen:structure-mandates", args=[world.structure.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    page = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Hélène Aidante" in page and "Camille Durand" in page and "Papiers, citoyenneté, élections" in page
    assert "Passeport" not in page and "Mon passeport" not in page and "Mandat donné" not in page
    # Their helper page links to it.
    assert url in client.get(reverse("citizen:helper-space")).content.decode()


def test_another_structures_manager_and_a_mere_helper_get_404(client, world):
    grant(world.citizen, world.helper, ["papiers"])
    url = reverse("citizen:structure-mandates", args=[world.structure.pk])
    client.force_login(world.other_manager)
    assert client.get(url).status_code == 404
    page = client.get(reverse("citizen:structure-mandates", args=[world.other_structure.pk])).content.decode()
    assert "Camille Durand" not in page
    client.force_login(world.helper)
    assert client.get(url).status_code == 404


def test_a_mandate_to_a_helper_without_a_structure_is_seen_by_no_manager(client, world):
    grant(world.citizen, world.other, ["papiers"])
    client.force_login(world.manager)
    page = client.get(reverse("citizen:structure-mandates", args=[world.structure.pk])).content.decode()
    assert "Aucun mandat pour le moment." in page


def test_staff_create_a_structure_and_add_members_by_email(client, db):
    staff = StaffFactory()
    login_verified(client, staff)
    response = client.post(reverse("staff:structures"), {"name": "CCAS de Lifou", "kind": "ccas", "siret": ""})
    structure = HelperStructure.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff:structure", args=[structure.pk])
    assert client.post(reverse("staff:structures"), {"name": "X", "kind": "ccas", "siret": "12"}).status_code == 400

    member = CitizenFactory(email="aidant@example.org")
    add = reverse("staff:structure-member-add", args=[structure.pk])
    response = client.post(add, {"email": "AIDANT@example.org", "role": "manager"})
    assert response.status_code == 302
    assert StructureMember.objects.get(structure=structure, user=member).role == StructureRole.MANAGER
    response = client.post(add, {"email": "personne@example.org", "role": "helper"})
    assert response.status_code == 400
    assert "Aucun compte ne correspond à cette adresse e-mail." in response.content.decode()
    AgentFactory(email="agent@example.org")
    response = client.post(add, {"email": "agent@example.org", "role": "helper"})
    assert response.status_code == 400
    assert "Seul un compte d’usager actif peut être aidant d’une structure." in response.content.decode()
    assert "aidant@example.org" in client.get(reverse("staff:structure", args=[structure.pk])).content.decode()
