"""A service first, a game second (issue 20, point 1): the dashboard's order, the display chosen
once and switched from the header, service messages apart from the game's news, renewal
notices that follow the quest."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civiquest.accounts.models import AuditEvent
from civiquest.actions.catalogue import catalogue_load
from civiquest.actions.quests import quest_start
from civiquest.catalogue.models import Procedure
from civiquest.documents.models import Document, DocumentType
from civiquest.notifications.models import NotificationKind
from civiquest.notifications.services import notify
from civiquest.progress.habits.models import GamePreferences
from civiquest.quests.models import Quest, QuestState

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("citizen:dashboard")
CHOICE = reverse("citizen:display-choice")
NOTIFICATIONS = reverse("citizen:notifications")


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def passport(db):
    """The demo catalogue, with the passport procedure (its revision issues the passport)."""
    catalogue_load()
    return Procedure.objects.get(slug="passeport")


def positions(html: str, *markers: str) -> list[int]:
    found = [html.find(marker) for marker in markers]
    assert -1 not in found, dict(zip(markers, found, strict=True))
    return found


# --- The dashboard's order ---------------------------------------------------------------


def test_the_dashboard_leads_with_what_to_do_and_puts_the_game_below(signed_in, citizen, passport):
    GamePreferences.objects.create(citizen=citizen, sober_mode=False, chosen_at=timezone.now())
    quest = quest_start(citizen=citizen, procedure=passport)
    notify(recipient=citizen, kind=NotificationKind.QUEST_STATE, key="t:service", title="Nouveau message du service")

    html = signed_in.get(DASHBOARD).content.decode()

    assert quest.reference in html
    messages, quests, deadlines, todo, game, summary = positions(
        html,
        'data-service="messages"',
        'id="home-quests"',
        'id="home-deadlines"',
        'id="home-todo"',
        'id="home-game"',
        'data-game="summary"',
    )
    assert messages < quests < deadlines < todo < game < summary
    # The game's block sits inside the secondary section, after everything the citizen must do.
    assert html.index('data-home="secondary"') < summary


def test_in_mode_sobre_the_secondary_section_shows_habits_and_nothing_of_the_game(signed_in, citizen):
    GamePreferences.objects.create(citizen=citizen, sober_mode=True, chosen_at=timezone.now())
    html = signed_in.get(DASHBOARD).content.decode()
    assert 'id="home-habits"' in html
    assert 'data-game="summary"' not in html and "Habitudes et progression" not in html
    assert 'data-home="display-choice"' not in html  # chosen already


def test_a_citizen_who_never_chose_is_offered_the_choice_on_the_dashboard(signed_in):
    html = signed_in.get(DASHBOARD).content.decode()
    offer, game = positions(html, 'data-home="display-choice"', 'id="home-game"')
    assert CHOICE in html[offer - 200 : offer + 600]


# --- The display: chosen once, switched from the header ------------------------------------


def test_the_choice_page_offers_two_equal_options_none_checked(signed_in):
    response = signed_in.get(CHOICE)
    assert response.status_code == 200
    html = response.content.decode()
    radios = re.findall(r"<input[^>]*name=\"mode\"[^>]*>", html)
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)
    # Same markup for both: neither is presented as the primary one.
    assert {re.sub(r'(id|value)="[^"]*"', "", radio) for radio in radios} == {
        re.sub(r'(id|value)="[^"]*"', "", radios[0])
    }
    assert "Affichage sobre" in html and "Affichage avec jeu" in html
    assert 'value="skip"' in html  # "Décider plus tard"


@pytest.mark.parametrize(("mode", "sober"), [("game", False), ("sober", True), ("skip", True)])
def test_choosing_records_the_mode_when_and_an_audit_line(signed_in, citizen, mode, sober):
    response = signed_in.post(CHOICE, {"mode": mode})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    preferences = GamePreferences.objects.get(citizen=citizen)
    assert preferences.sober_mode is sober
    assert preferences.chosen_at is not None
    event = AuditEvent.objects.get(action="display.choose")
    assert event.details == {"mode": "sober" if sober else "game", "skipped": mode == "skip"}
    assert event.actor_id == citizen.pk


def test_no_choice_is_an_error_on_the_field_and_records_nothing(signed_in, citizen):
    response = signed_in.post(CHOICE, {"mode": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "fr-fieldset--error" in html and "Choisissez un des deux affichages" in html
    assert not GamePreferences.objects.filter(citizen=citizen).exists()


def test_the_header_switch_posts_back_to_the_same_page(signed_in, citizen):
    habits = reverse("citizen:habits")
    html = signed_in.get(habits).content.decode()
    tools = html[html.index('class="fr-header__tools"') :]
    form = tools[: tools.index("</form>", tools.index("data-display-switch"))]
    assert f'action="{CHOICE}"' in form and 'name="csrfmiddlewaretoken"' in form
    assert f'name="next" value="{habits}"' in form
    assert 'name="mode"' in form and 'value="sober"' in form  # the game is shown: the switch hides it

    response = signed_in.post(CHOICE, {"mode": "sober", "next": habits})
    assert response.status_code == 302 and response["Location"] == habits
    assert GamePreferences.objects.get(citizen=citizen).sober_mode is True
    after = signed_in.get(habits).content.decode()
    assert "data-display-switch" in after and 'value="game"' in after[after.index("data-display-switch") :]


def test_the_switch_never_sends_the_citizen_elsewhere(signed_in):
    response = signed_in.post(CHOICE, {"mode": "game", "next": "https://evil.example/"})
    assert response["Location"] == DASHBOARD


def test_agents_have_no_display_switch(client, agent):
    client.force_login(agent)
    html = client.get(reverse("agent:home")).content.decode()
    assert "data-display-switch" not in html


# --- The notification centre: the services' messages apart -------------------------------


def _messages(citizen):
    notify(recipient=citizen, kind=NotificationKind.QUEST_STATE, key="t:quest", title="Votre dossier est reçu")
    notify(recipient=citizen, kind=NotificationKind.LEVEL_UP, key="t:level", title="Vous passez au niveau 2")
    notify(recipient=citizen, kind="habit_reminder", key="t:habit", title="Pensez à votre habitude")


def test_service_messages_and_game_news_are_in_separate_sections(signed_in, citizen):
    _messages(citizen)
    html = signed_in.get(NOTIFICATIONS).content.decode()
    service, news = positions(html, 'data-notifications="service"', 'data-notifications="news"')
    assert service < news
    service_part, news_part = html[service:news], html[news:]
    assert "Votre dossier est reçu" in service_part and "Vous passez au niveau 2" not in service_part
    assert "Vous passez au niveau 2" in news_part and "Pensez à votre habitude" in news_part
    # A level is never shown with a service message's weight: no tile, no heading of its own.
    assert "fr-tile" not in news_part[: news_part.index("</section>")]
    assert "<h3" not in news_part[: news_part.index("</section>")]


def test_in_mode_sobre_the_news_keep_habit_reminders_only(signed_in, citizen):
    GamePreferences.objects.create(citizen=citizen, sober_mode=True, chosen_at=timezone.now())
    _messages(citizen)
    html = signed_in.get(NOTIFICATIONS).content.decode()
    assert "Vous passez au niveau 2" not in html
    assert "Pensez à votre habitude" in html[html.index('data-notifications="news"') :]


def test_the_header_counter_counts_the_services_messages_only(signed_in, citizen):
    _messages(citizen)
    html = signed_in.get(reverse("citizen:habits")).content.decode()
    assert "(1 non lue)" in html


# --- Nudges follow the quest ----------------------------------------------------------------


def _expiring_passport(citizen):
    return Document.objects.create(
        owner=citizen,
        type=DocumentType.PASSPORT,
        expires_on=timezone.localdate() + dt.timedelta(days=60),
        size=1,
        sha256="0" * 64,
    )


def test_an_expiring_passport_asks_to_start_the_renewal_until_a_quest_exists(signed_in, citizen, passport):
    _expiring_passport(citizen)
    html = signed_in.get(DASHBOARD).content.decode()
    assert "Votre passeport expire le" in html and "Commencer le renouvellement" in html

    quest = quest_start(citizen=citizen, procedure=passport)
    draft = signed_in.get(DASHBOARD).content.decode()
    assert "Commencer le renouvellement" not in draft
    assert "Reprendre la demande" in draft and reverse("citizen:quest", args=[quest.pk]) in draft


@pytest.mark.parametrize("state", [QuestState.SUBMITTED, QuestState.IN_REVIEW])
def test_once_the_passport_quest_is_deposited_nothing_asks_to_start_or_resume_it(signed_in, citizen, passport, state):
    citizen.birthdate = dt.date(1980, 1, 1)
    citizen.save(update_fields=["birthdate"])
    _expiring_passport(citizen)
    quest = quest_start(citizen=citizen, procedure=passport)
    Quest.objects.filter(pk=quest.pk).update(state=state, submitted_at=timezone.now())

    html = signed_in.get(DASHBOARD).content.decode()

    assert "Votre passeport expire le" in html  # the fact stays
    assert "Commencer le renouvellement" not in html
    assert "Votre demande de renouvellement est déposée" in html
    # The recommendation ("À faire") says it is deposited, not to resume.
    todo = html[html.index('id="home-todo"') : html.index('id="home-game"')]
    assert f'data-recommendation="{passport.slug}"' in todo
    assert "À reprendre" not in todo and "Déposée" in todo


def test_a_passport_renewed_by_an_accepted_quest_has_no_notice(signed_in, citizen, passport):
    _expiring_passport(citizen)
    quest = quest_start(citizen=citizen, procedure=passport)
    Quest.objects.filter(pk=quest.pk).update(state=QuestState.ACCEPTED, decided_at=timezone.now())
    html = signed_in.get(DASHBOARD).content.decode()
    assert "Votre passeport expire le" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_notification_centre_reads_a_bounded_number_of_queries(
    signed_in, citizen, count, django_assert_max_num_queries
):
    for number in range(count):
        notify(recipient=citizen, kind=NotificationKind.QUEST_STATE, key=f"t:q{number}", title=f"Dossier {number}")
        notify(recipient=citizen, kind=NotificationKind.BADGE, key=f"t:b{number}", title=f"Badge {number}")
    # Session and user, "mode sobre", each section's count and page, marking the new ones read
    # (a savepoint around it), the header's counter after that.
    with django_assert_max_num_queries(12):
        response = signed_in.get(NOTIFICATIONS)
    assert response.status_code == 200
