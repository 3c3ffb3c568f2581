"""Share links: what the public page shows (nothing personal), headers, 404s, view counts, XP, limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.actions import sharing as actions
from civiquest.core.ratelimit import RateLimited
from civiquest.documents.models import Document
from civiquest.progress.habits.services import sober_mode_set
from civiquest.progress.models import BadgeAward, XpEntry
from civiquest.social.services import pseudonym_choose
from civiquest.social.sharing.models import ShareLink
from civiquest.social.sharing.services import MAX_ACTIVE_SHARES, ShareInvalid
from tests.accounts.factories import CitizenFactory, login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_quest(citizen, ready_quest):
    citizen.first_name = "Eulalie"
    citizen.last_name = "Vandermolen"
    citizen.email = "eulalie.vandermolen@example.org"
    citizen.save()
    return ready_quest


def public_url(share: ShareLink) -> str:
    return reverse("citizen:share-public", args=[share.token])


def test_a_shared_checklist_shows_documents_and_steps_and_nothing_personal(client, citizen, named_quest):
    share = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk, include_ticks=True)

    response = client.get(public_url(share))

    assert response.status_code == 200
    html = response.content.decode()
    # What the procedure needs: its documents, steps and checklist items (titles only).
    for expected in ("Photo d’identité", "Justificatif de domicile", "Pré-demande en ligne", "Timbre fiscal acheté"):
        assert expected in html
    assert "Fait" in html  # the ticks, chosen
    # Nothing personal: no name, e-mail, answers, documents, quest reference or id.
    answers = ["Martin", "1990-05-17", "17 mai 1990", "AB12CD34EF"]
    documents = list(Document.objects.filter(owner=citizen).values_list("title", flat=True)) + ["document.pdf"]
    assert documents[:-1]  # the quest has wallet documents attached
    personal = [
        "Eulalie",
        "Vandermolen",
        "eulalie.vandermolen",
        named_quest.reference,
        f"/mes-demarches/{named_quest.pk}",
    ]
    for value in [*personal, *answers, *documents]:
        assert value not in html, value
    assert "Partagé par un usager" in html  # no pseudonym unless chosen


def test_the_public_page_is_noindex_private_and_sends_no_referrer(client, citizen, named_quest):
    share = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)

    response = client.get(public_url(share))

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_ticks_and_pseudonym_only_when_chosen(client, citizen, named_quest):
    pseudonym_choose(user=citizen, pseudonym="Hirondelle")
    plain = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)
    signed = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk, show_pseudonym=True)

    plain_html = client.get(public_url(plain)).content.decode()
    signed_html = client.get(public_url(signed)).content.decode()

    assert "Hirondelle" not in plain_html and "Fait" not in plain_html
    assert "Partagé par Hirondelle" in signed_html


def test_revoked_expired_and_unknown_links_answer_the_same_404(client, citizen, named_quest):
    revoked = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)
    expired = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk, days=7)
    assert client.get(public_url(revoked)).status_code == 200
    actions.share_revoke(citizen=citizen, share_id=revoked.pk)
    actions.share_revoke(citizen=citizen, share_id=revoked.pk)  # again: nothing changes
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    answers = [
        client.get(public_url(revoked)),
        client.get(public_url(expired)),
        client.get(reverse("citizen:share-public", args=["inconnu-" + "x" * 24])),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    # The same page (apart from the per-request nonces and CSRF token): nothing tells them apart.
    mains = {answer.content.decode().split("<main", 1)[1].split("</main>", 1)[0] for answer in answers}
    assert len(mains) == 1


def test_views_are_counted_except_the_owners(client, citizen, named_quest):
    share = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)
    client.get(public_url(share))
    client.get(public_url(share))
    login_verified(client, citizen)
    client.get(public_url(share))

    share.refresh_from_db()
    assert share.views == 2
    page = client.get(reverse("citizen:shares")).content.decode()
    assert f'id="share-{share.pk}"' in page and "<td>2</td>" in page


def test_only_the_owners_quest_or_badge_can_be_shared(citizen, named_quest):
    other = CitizenFactory()
    with pytest.raises(ShareInvalid):
        actions.share_create(citizen=other, kind="checklist", quest_id=named_quest.pk)
    with pytest.raises(ShareInvalid):
        actions.share_create(citizen=citizen, kind="badge", badge_code="premiere-demarche")
    with pytest.raises(ShareInvalid):
        actions.share_create(citizen=citizen, kind="level", days=12)
    assert not ShareLink.objects.exists()


def test_a_badge_and_a_level_are_shared_without_a_name(client, citizen):
    citizen.first_name, citizen.last_name = "Eulalie", "Vandermolen"
    citizen.save()
    BadgeAward.objects.create(citizen=citizen, code="premiere-demarche")
    badge = actions.share_create(citizen=citizen, kind="badge", badge_code="premiere-demarche")
    level = actions.share_create(citizen=citizen, kind="level")

    badge_html = client.get(public_url(badge)).content.decode()
    level_html = client.get(public_url(level)).content.decode()

    assert "Première démarche" in badge_html
    assert "Niveau 1" in level_html
    for html in (badge_html, level_html):
        assert "Eulalie" not in html and "Vandermolen" not in html


def test_sharing_earns_xp_once_per_item(citizen, named_quest):
    before = XpEntry.objects.filter(citizen=citizen, reason=actions.REASON_SHARE).count()
    first = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)
    actions.share_revoke(citizen=citizen, share_id=first.pk)
    actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)
    actions.share_create(citizen=citizen, kind="level")

    shares = XpEntry.objects.filter(citizen=citizen, reason=actions.REASON_SHARE)
    assert before == 0
    assert shares.count() == 2  # the checklist once, the level once
    assert sorted(shares.values_list("amount", flat=True)) == [actions.SHARE_XP, actions.SHARE_XP]


def test_no_xp_for_sharing_in_mode_sobre(citizen, named_quest):
    sober_mode_set(citizen=citizen, enabled=True)
    actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)
    assert not XpEntry.objects.filter(citizen=citizen, reason=actions.REASON_SHARE).exists()


def test_at_most_twenty_active_links(citizen, settings):
    for _ in range(MAX_ACTIVE_SHARES):
        ShareLink.objects.create(
            owner=citizen, kind="level", token=f"t{_}", expires_at=timezone.now() + dt.timedelta(days=1)
        )
    with pytest.raises(ShareInvalid, match="liens actifs"):
        actions.share_create(citizen=citizen, kind="level")
    ShareLink.objects.filter(token="t0").update(revoked_at=timezone.now())
    assert actions.share_create(citizen=citizen, kind="level").pk


def test_the_owner_creates_and_revokes_from_mes_partages(client, citizen, named_quest):
    login_verified(client, citizen)
    form = client.get(reverse("citizen:share-create") + f"?kind=checklist&quest={named_quest.pk}")
    assert form.status_code == 200

    created = client.post(
        reverse("citizen:share-create"), {"kind": "checklist", "quest": str(named_quest.pk), "days": "90"}
    )
    share = ShareLink.objects.get()
    assert created.status_code == 302
    assert share.expires_at - share.created_at == dt.timedelta(days=90)
    listed = client.get(reverse("citizen:shares")).content.decode()
    assert share.token in listed

    assert client.post(reverse("citizen:share-revoke", args=[share.pk])).status_code == 302
    assert client.post(reverse("citizen:share-revoke", args=[share.pk])).status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None
    # Another citizen cannot revoke it: 404.
    login_verified(client, CitizenFactory())
    assert client.post(reverse("citizen:share-revoke", args=[share.pk])).status_code == 404


def test_a_bad_form_is_refused_with_the_reason_next_to_the_field(client, citizen):
    login_verified(client, citizen)
    response = client.post(reverse("citizen:share-create"), {"kind": "checklist", "days": "30"})
    assert response.status_code == 400
    assert "Choisissez la démarche dont vous partagez la liste." in response.content.decode()
    assert not ShareLink.objects.exists()


def test_mes_partages_reads_a_fixed_number_of_queries(client, citizen, named_quest, django_assert_max_num_queries):
    login_verified(client, citizen)
    for _ in range(5):
        actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("citizen:shares"))
    assert response.status_code == 200


def test_the_public_page_reads_a_fixed_number_of_queries(client, citizen, named_quest, django_assert_max_num_queries):
    share = actions.share_create(citizen=citizen, kind="checklist", quest_id=named_quest.pk, include_ticks=True)
    with django_assert_max_num_queries(8):
        response = client.get(public_url(share))
    assert response.status_code == 200


def test_a_badge_withdrawn_since_is_no_longer_shown(client, citizen):
    BadgeAward.objects.create(citizen=citizen, code="premiere-demarche")
    share = actions.share_create(citizen=citizen, kind="badge", badge_code="premiere-demarche")
    assert client.get(public_url(share)).status_code == 200
    BadgeAward.objects.filter(citizen=citizen).delete()
    assert client.get(public_url(share)).status_code == 404


def test_creating_links_is_rate_limited(citizen):
    for _ in range(actions.CREATE_LIMIT):
        actions.share_create(citizen=citizen, kind="level")
    with pytest.raises(RateLimited):
        actions.share_create(citizen=citizen, kind="level")
    assert ShareLink.objects.filter(owner=citizen).count() == actions.CREATE_LIMIT


def test_out_of_range_ids_are_404(client, citizen):
    login_verified(client, citizen)
    assert client.post(reverse("citizen:share-revoke", args=[10**25])).status_code == 404
    assert client.get(reverse("citizen:circle", args=[10**25])).status_code == 404
