"""Circles: opt-in, by pseudonym, single-use invitations that expire, members see only what each chose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.actions import sharing as actions
from civiquest.progress.models import BadgeAward
from civiquest.social.services import pseudonym_choose
from civiquest.social.sharing.models import Circle, CircleInvitation, CircleMembership
from civiquest.social.sharing.services import CircleInvalid
from tests.accounts.factories import CitizenFactory, login_verified

pytestmark = pytest.mark.django_db


def with_pseudonym(pseudonym: str, **names):
    user = CitizenFactory(**names)
    pseudonym_choose(user=user, pseudonym=pseudonym)
    return user


@pytest.fixture
def family():
    owner = with_pseudonym("Mésange", first_name="Eulalie", last_name="Vandermolen")
    circle = actions.circle_create(citizen=owner, name="Famille", kind="family")
    return owner, circle


def join(circle: Circle, owner, member) -> CircleMembership:
    invitation = actions.circle_invite(citizen=owner, circle=circle)
    return actions.circle_join(citizen=member, token=invitation.token)


def test_a_members_progress_is_invisible_until_they_choose(client, family):
    owner, circle = family
    member = with_pseudonym("Loriot", first_name="Barnabé", last_name="Quintard")
    join(circle, owner, member)
    BadgeAward.objects.create(citizen=member, code="premiere-demarche")
    login_verified(client, owner)
    url = reverse("citizen:circle", args=[circle.pk])

    before = client.get(url).content.decode()
    assert "Loriot" in before and "Ne montre rien." in before
    assert "Première démarche" not in before and "Niveau 1" not in before
    assert "Barnabé" not in before and "Quintard" not in before  # pseudonyms only

    membership = CircleMembership.objects.get(circle=circle, member=member)
    actions.circle_visibility_set(membership=membership, shows_level=True, shows_badges=True, shows_done_count=False)
    after = client.get(url).content.decode()
    assert "Première démarche" in after and "Niveau 1" in after
    assert "démarche terminée" not in after  # not chosen


def test_the_visibility_form_changes_only_the_members_own_choice(client, family):
    owner, circle = family
    member = with_pseudonym("Loriot")
    join(circle, owner, member)
    login_verified(client, member)
    response = client.post(reverse("citizen:circle-visibility", args=[circle.pk]), {"shows_done_count": "on"})
    assert response.status_code == 302
    mine = CircleMembership.objects.get(circle=circle, member=member)
    assert (mine.shows_level, mine.shows_badges, mine.shows_done_count) == (False, False, True)
    assert not CircleMembership.objects.get(circle=circle, member=owner).shows_done_count


def test_an_invitation_serves_once_and_expires(family):
    owner, circle = family
    first, second = with_pseudonym("Loriot"), with_pseudonym("Pinson")
    invitation = actions.circle_invite(citizen=owner, circle=circle)
    actions.circle_join(citizen=first, token=invitation.token)
    with pytest.raises(CircleInvalid, match="plus valable"):
        actions.circle_join(citizen=second, token=invitation.token)

    late = actions.circle_invite(citizen=owner, circle=circle)
    assert late.expires_at - late.created_at == dt.timedelta(days=7)
    CircleInvitation.objects.filter(pk=late.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(CircleInvalid):
        actions.circle_join(citizen=second, token=late.token)
    assert not CircleMembership.objects.filter(member=second).exists()


def test_a_non_member_gets_404_on_the_circle_and_its_actions(client, family):
    owner, circle = family
    login_verified(client, with_pseudonym("Intrus"))
    assert client.get(reverse("citizen:circle", args=[circle.pk])).status_code == 404
    for name in ("circle-invite", "circle-visibility", "circle-leave", "circle-delete"):
        assert client.post(reverse(f"citizen:{name}", args=[circle.pk])).status_code == 404, name
    assert Circle.objects.filter(pk=circle.pk).exists()


def test_only_the_owner_invites_removes_or_deletes(client, family):
    owner, circle = family
    member = with_pseudonym("Loriot")
    membership = join(circle, owner, member)
    with pytest.raises(CircleInvalid):
        actions.circle_invite(citizen=member, circle=circle)
    with pytest.raises(CircleInvalid):
        actions.circle_delete(citizen=member, circle=circle)

    login_verified(client, owner)
    client.post(reverse("citizen:circle-member-remove", args=[circle.pk, membership.pk]))
    assert not CircleMembership.objects.filter(pk=membership.pk).exists()
    client.post(reverse("citizen:circle-delete", args=[circle.pk]))
    assert not Circle.objects.filter(pk=circle.pk).exists()


def test_a_member_leaves(client, family):
    owner, circle = family
    member = with_pseudonym("Loriot")
    join(circle, owner, member)
    login_verified(client, member)
    assert client.post(reverse("citizen:circle-leave", args=[circle.pk])).status_code == 302
    assert client.get(reverse("citizen:circle", args=[circle.pk])).status_code == 404


def test_a_citizen_without_a_pseudonym_is_asked_to_choose_one_before_joining(client, family):
    owner, circle = family
    invitation = actions.circle_invite(citizen=owner, circle=circle)
    newcomer = CitizenFactory()
    login_verified(client, newcomer)
    url = reverse("citizen:circle-join", args=[invitation.token])

    page = client.get(url).content.decode()
    assert "Choisir un pseudonyme" in page and "Mésange vous invite" in page
    client.post(url)  # no pseudonym yet: nothing happens
    assert not CircleMembership.objects.filter(member=newcomer).exists()

    chosen = client.post(reverse("citizen:circle-pseudonym"), {"pseudonym": "Rouge-gorge", "next": url})
    assert chosen.status_code == 302 and chosen["Location"] == url
    assert client.post(url).status_code == 302
    assert CircleMembership.objects.filter(member=newcomer, circle=circle).exists()


def test_a_circle_is_created_only_with_a_pseudonym(client):
    citizen = CitizenFactory()
    login_verified(client, citizen)
    refused = client.post(reverse("citizen:circle-create"), {"name": "Amis", "kind": "friends"})
    assert refused.status_code == 400 and not Circle.objects.exists()
    pseudonym_choose(user=citizen, pseudonym="Rouge-gorge")
    created = client.post(reverse("citizen:circle-create"), {"name": "Amis", "kind": "friends"})
    circle = Circle.objects.get()
    assert created["Location"] == reverse("citizen:circle", args=[circle.pk])
    assert CircleMembership.objects.filter(circle=circle, member=citizen).exists()


def test_the_circle_page_reads_a_fixed_number_of_queries(client, family, django_assert_max_num_queries):
    owner, circle = family
    for number in range(6):
        member = with_pseudonym(f"Membre{number}")
        membership = join(circle, owner, member)
        actions.circle_visibility_set(
            membership=membership, shows_level=True, shows_badges=True, shows_done_count=True
        )
        BadgeAward.objects.create(citizen=member, code="premiere-demarche")
    login_verified(client, owner)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("citizen:circle", args=[circle.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Première démarche") == 6


def test_the_circles_page_reads_a_fixed_number_of_queries(client, family, django_assert_max_num_queries):
    owner, _circle = family
    for number in range(4):
        actions.circle_create(citizen=owner, name=f"Cercle {number}", kind="friends")
    login_verified(client, owner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("citizen:circles"))
    assert response.status_code == 200
    assert response.content.decode().count("1 membre") == 5
