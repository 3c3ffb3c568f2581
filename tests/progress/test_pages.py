"""The citizen's progress page and the staff ledger view, with revocation."""

import pytest
from django.urls import reverse

from civiquest.accounts.models import AuditEvent
from civiquest.progress import xp
from civiquest.progress.models import XpEntry
from civiquest.progress.rewards import REASON_REVOKED
from civiquest.progress.selectors import LEDGER_PAGE_SIZE
from tests.accounts.factories import CitizenFactory, StaffFactory

pytestmark = pytest.mark.django_db

PROGRESS = "/mon-espace/progression/"


def test_progress_url():
    assert reverse("citizen:progress") == PROGRESS


def test_progress_page_shows_level_bar_ledger_and_badges(client, login_verified, ready_quest, instructor, accept):
    citizen = ready_quest.citizen
    accept(ready_quest, instructor)
    login_verified(client, citizen)
    response = client.get(PROGRESS)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress id="xp-barre"' in html and 'for="xp-barre"' in html
    assert "Démarche aboutie" in html and "Étape déclarée" in html
    assert ready_quest.reference in html  # the line says which quest, and links to it
    assert reverse("citizen:quest", args=[ready_quest.pk]) in html
    assert "Première démarche" in html and "Obtenu" in html
    assert "Comment l’obtenir" in html  # locked badges say how to earn them
    assert "/static/dsfr/dist/artwork/pictograms/document/document-signature.svg" in html


def test_progress_page_queries_are_bounded_whatever_the_history(
    client, login_verified, ready_quest, django_assert_max_num_queries, settings
):
    settings.PROGRESS_XP_DAILY_CAP = 10**6
    citizen = ready_quest.citizen
    login_verified(client, citizen)
    client.get(PROGRESS)
    # Measured after a change, as below: the citizen's cached reads (core.citizen_cache) are read again.
    xp.xp_award(citizen=citizen, amount=1, reason="first", key="first")
    with django_assert_max_num_queries(16) as few:
        assert client.get(PROGRESS).status_code == 200
    for number in range(3 * LEDGER_PAGE_SIZE):
        xp.xp_award(citizen=citizen, amount=1, reason=f"r{number}", key=f"many:{number}")
    with django_assert_max_num_queries(len(few)):
        response = client.get(PROGRESS)
    assert response.status_code == 200
    assert "Page 1 sur 4" in response.content.decode()
    assert client.get(PROGRESS + "?page=4").status_code == 200


def test_sober_mode_hides_every_game_element(client, login_verified, citizen):
    from civiquest.progress.habits.models import GamePreferences

    xp.xp_award(citizen=citizen, amount=40, reason="quest.done", key="s")
    GamePreferences.objects.update_or_create(citizen=citizen, defaults={"sober_mode": True})
    login_verified(client, citizen)
    html = client.get(PROGRESS).content.decode()
    assert "xp-barre" not in html and "Mes badges" not in html and "Historique de vos XP" not in html
    assert "mode sobre" in html and reverse("citizen:game-preferences") in html


def test_progress_page_is_for_citizens(client, login_verified, instructor):
    login_verified(client, instructor)
    assert client.get(PROGRESS).status_code == 403


@pytest.fixture
def staffer(client, login_verified):
    member = StaffFactory()
    login_verified(client, member)
    return member


def test_staff_sees_a_citizens_ledger(client, staffer, citizen, django_assert_max_num_queries):
    xp.xp_award(citizen=citizen, amount=30, reason="quest.done", key="a")
    url = reverse("staff:citizen-ledger", args=[citizen.pk])
    assert url == f"/gestion/usagers/{citizen.pk}/progression/"
    response = client.get(url)
    assert response.status_code == 200 and "Démarche aboutie" in response.content.decode()
    assert client.get(reverse("staff:citizen-ledger", args=[staffer.pk])).status_code == 404
    assert client.get(reverse("staff:citizen-ledger", args=[10**6])).status_code == 404


def test_staff_revokes_with_a_motivation_audited(client, staffer, citizen):
    entry = xp.xp_award(citizen=citizen, amount=30, reason="quest.done", key="a")
    url = reverse("staff:xp-entry-revoke", args=[citizen.pk, entry.pk])
    response = client.post(url, {"motivation": "  "})
    assert response.status_code == 400
    assert "Motivation de l’annulation" in response.content.decode()
    assert xp.balance_of(citizen) == 30 and not AuditEvent.objects.exists()

    response = client.post(url, {"motivation": "Dossier en double"})
    assert response.status_code == 302
    reversal = XpEntry.objects.get(reason=REASON_REVOKED)
    assert reversal.amount == -30 and reversal.actor == staffer and reversal.motivation == "Dossier en double"
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target_type, event.target_id, event.motivation) == (
        staffer,
        "progress.xp_revoke",
        "progress.xpentry",
        str(entry.pk),
        "Dossier en double",
    )
    assert event.details == {"citizen_id": citizen.pk, "amount": 30, "reversal_id": reversal.pk}
    assert "Dossier en double" in client.get(reverse("staff:citizen-ledger", args=[citizen.pk])).content.decode()
    assert xp.balance_of(citizen) == 0
    # Twice: refused, nothing more written.
    client.post(url, {"motivation": "Encore"})
    assert XpEntry.objects.filter(reason=REASON_REVOKED).count() == 1 and AuditEvent.objects.count() == 1


def test_revoke_of_another_citizens_entry_is_404_and_others_are_refused(client, login_verified, citizen):
    entry = xp.xp_award(citizen=citizen, amount=30, reason="quest.done", key="a")
    other = CitizenFactory()
    member = StaffFactory()
    login_verified(client, member)
    assert (
        client.post(reverse("staff:xp-entry-revoke", args=[other.pk, entry.pk]), {"motivation": "x"}).status_code
        == 404
    )
    assert client.get(reverse("staff:xp-entry-revoke", args=[citizen.pk, entry.pk])).status_code == 405
    login_verified(client, citizen)
    assert (
        client.post(reverse("staff:xp-entry-revoke", args=[citizen.pk, entry.pk]), {"motivation": "x"}).status_code
        == 403
    )
    assert client.get(reverse("staff:citizen-ledger", args=[citizen.pk])).status_code == 403
    assert xp.balance_of(citizen) == 30


def test_recent_rewards_for_the_home_page(ready_quest, django_assert_max_num_queries):
    from civiquest.progress.selectors import recent_rewards

    citizen = ready_quest.citizen
    with django_assert_max_num_queries(3):
        lines = recent_rewards(citizen=citizen, limit=3)
    assert [line.entry.amount for line in lines] == [10, 10, 10]
    assert all(line.quest_id == ready_quest.pk and "Passeport" in line.detail for line in lines)


def test_progress_page_shows_habit_streaks_and_the_avatar_editor(client, login_verified, citizen):
    from civiquest.progress.habits import services as habits

    habit = habits.habit_adopt(citizen=citizen, code="admin_mail")
    habits.habit_check_in(habit=habit)
    login_verified(client, citizen)
    html = client.get(PROGRESS).content.decode()
    assert "Mes séries d’habitudes" in html and "Série : 1 période de suite" in html
    assert "les dernières périodes" in html  # the calendar, as a table with text
    assert 'id="avatar-preview"' in html and 'name="action" value="preview"' in html
