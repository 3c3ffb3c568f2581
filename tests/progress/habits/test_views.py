"""The habits, avatar and home pages; "mode sobre" on every citizen page; the home's query bound."""

import datetime as dt
import re

import pytest
from django.urls import get_resolver, reverse

from civiquest.progress.habits import services
from civiquest.progress.habits.catalogue import CATALOGUE, HABITS_TIME_ZONE
from civiquest.progress.habits.models import CheckIn, GamePreferences, Habit, Pause
from civiquest.progress.habits.selectors import today_local
from civiquest.quests.models import Quest
from civiquest.quests.services import quest_start
from tests.accounts.factories import CitizenFactory
from tests.catalogue.factories import INSTRUCTED_STEPS, ServiceFactory, published

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def test_habits_page_lists_habits_catalogue_and_calendar(signed_in, citizen):
    services.habit_adopt(citizen=citizen, code="admin_mail")
    response = signed_in.get(reverse("citizen:habits"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Relever mon courrier administratif" in html
    assert "Passer en revue mes échéances" in html  # in the catalogue, to adopt
    assert "<caption>" in html and "À faire" in html  # the calendar says it in words
    assert 'data-game="streak"' in html


def test_adopt_check_in_drop_with_plain_posts(signed_in, citizen):
    response = signed_in.post(reverse("citizen:habit-adopt"), {"code": "admin_mail"})
    assert response.status_code == 302 and response["Location"] == reverse("citizen:habits")
    habit = Habit.objects.get(citizen=citizen, code="admin_mail")
    signed_in.post(reverse("citizen:habit-checkin", args=[habit.pk]))
    signed_in.post(reverse("citizen:habit-checkin", args=[habit.pk]))
    assert CheckIn.objects.filter(habit=habit).count() == 1
    signed_in.post(reverse("citizen:habit-drop", args=[habit.pk]))
    habit.refresh_from_db()
    assert not habit.active
    assert signed_in.post(reverse("citizen:habit-adopt"), {"code": "nope"}).status_code == 404


def test_htmx_check_in_answers_with_the_page_and_a_status(signed_in, citizen):
    habit = services.habit_adopt(citizen=citizen, code="admin_mail")
    response = signed_in.post(reverse("citizen:habit-checkin", args=[habit.pk]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="habits-main"' in html and "est cochée pour cette période" in html


def test_another_citizens_habit_is_a_404(signed_in):
    other = services.habit_adopt(citizen=CitizenFactory(), code="admin_mail")
    for name in ("citizen:habit-checkin", "citizen:habit-drop"):
        assert signed_in.post(reverse(name, args=[other.pk])).status_code == 404
    assert not CheckIn.objects.exists()
    assert Habit.objects.get(pk=other.pk).active


def test_actions_are_post_only(signed_in, citizen):
    habit = services.habit_adopt(citizen=citizen, code="admin_mail")
    assert signed_in.get(reverse("citizen:habit-checkin", args=[habit.pk])).status_code == 405
    assert signed_in.get(reverse("citizen:game-preferences")).status_code == 405


def test_pause_form_errors_name_the_field_and_keep_the_value(signed_in, citizen):
    response = signed_in.post(reverse("citizen:habits-pause"), {"until": "2001-01-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "aujourd’hui ou plus tard" in html and "2001-01-01" in html
    until = (today_local() + dt.timedelta(days=7)).isoformat()
    assert signed_in.post(reverse("citizen:habits-pause"), {"until": until}).status_code == 302
    assert Pause.objects.filter(citizen=citizen).count() == 1
    signed_in.post(reverse("citizen:habits-pause"), {"action": "resume"})


def test_reminders_toggle(signed_in, citizen):
    signed_in.post(reverse("citizen:habits-reminders"), {"enabled": "on"})
    assert GamePreferences.objects.get(citizen=citizen).habit_reminders
    signed_in.post(reverse("citizen:habits-reminders"), {})
    assert not GamePreferences.objects.get(citizen=citizen).habit_reminders


def test_avatar_preview_without_saving_then_save(signed_in, citizen):
    choice = {"background": "meadow", "base": "tan", "hair": "long", "accessory": "glasses", "accent": "red"}
    response = signed_in.post(reverse("citizen:avatar"), {**choice, "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "cheveux longs" in html and 'role="img"' in html
    assert not GamePreferences.objects.filter(citizen=citizen).exists()
    response = signed_in.post(reverse("citizen:avatar"), {**choice, "action": "save"})
    assert response.status_code == 302
    assert GamePreferences.objects.get(citizen=citizen).avatar == choice
    locked = signed_in.post(reverse("citizen:avatar"), {**choice, "hair": "sun_hat", "action": "save"})
    assert locked.status_code == 400
    assert GamePreferences.objects.get(citizen=citizen).avatar == choice


def test_game_preferences_toggle_and_safe_redirect(signed_in, citizen):
    response = signed_in.post(reverse("citizen:game-preferences"), {"sober_mode": "on", "next": "/mon-espace/"})
    assert response.status_code == 302 and response["Location"] == "/mon-espace/"
    assert GamePreferences.objects.get(citizen=citizen).sober_mode
    response = signed_in.post(reverse("citizen:game-preferences"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("citizen:profile")
    assert not GamePreferences.objects.get(citizen=citizen).sober_mode


# --- "Mode sobre" on every citizen page ------------------------------------------------------

# What game elements display: values (a page may still *talk* about the game, as the landing page does).
GAME_WORDS = re.compile(
    r"\d\s*XP\b|\bNiveau\s+\d|\d+\s+jokers?\b|\bSérie\s*:|\bRecord\s*:|\bbadges?\s+obtenus?",
    re.IGNORECASE,
)


def _visible_text(html: str) -> str:
    # The switch itself names what it hides: it is the one place allowed to say the words.
    html = re.sub(r'<form[^>]*class="cq-game-preferences".*?</form>', " ", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _citizen_pages(kwargs_by_name: dict[str, object]) -> list[str]:
    """Every citizen URL whose parameters we can fill in, GET pages and POST-only alike."""
    resolver = get_resolver().namespace_dict["citizen"][1]
    urls = []
    for name in sorted(key for key in resolver.reverse_dict if isinstance(key, str)):
        for possibilities, _pattern, _defaults, _converters in resolver.reverse_dict.getlist(name):
            params = possibilities[0][1]
            if all(param in kwargs_by_name for param in params):
                urls.append(reverse(f"citizen:{name}", kwargs={p: kwargs_by_name[p] for p in params}))
                break
    return urls


@pytest.fixture
def rich_citizen(citizen):
    """A citizen with a quest, habits with a streak, XP and a badge: every game element has something to show."""
    procedure, _revision = published(INSTRUCTED_STEPS, service=ServiceFactory(), slug="passeport", title="Passeport")
    quest = quest_start(citizen=citizen, procedure=procedure)
    for definition in CATALOGUE:
        habit = services.habit_adopt(citizen=citizen, code=definition.code)
    services.habit_check_in(habit=Habit.objects.get(citizen=citizen, code="admin_mail"))
    try:
        from civiquest.progress.xp import xp_award
    except ImportError:
        pass
    else:
        xp_award(citizen=citizen, amount=60, reason="test", key=f"test-reward:{citizen.pk}")
    try:
        from civiquest.progress.badges import badges_evaluate
    except ImportError:
        pass
    else:
        badges_evaluate(citizen=citizen)
    return {
        "slug": procedure.slug,
        "quest_id": quest.pk,
        "step_slug": quest.current_step.slug,
        "habit_id": habit.pk,
    }


def test_game_elements_show_when_mode_sobre_is_off(client, citizen, rich_citizen):
    client.force_login(citizen)
    for name in ("citizen:dashboard", "citizen:habits", "citizen:avatar"):
        html = client.get(reverse(name)).content.decode()
        assert "data-game" in html, name
    home = client.get(reverse("citizen:dashboard")).content.decode()
    assert GAME_WORDS.search(_visible_text(home)) is not None  # the level and the XP, in words


def test_mode_sobre_hides_every_game_element_on_every_citizen_page(client, citizen, rich_citizen):
    services.sober_mode_set(citizen=citizen, enabled=True)
    client.force_login(citizen)
    checked = []
    for url in _citizen_pages(rich_citizen):
        response = client.get(url)
        # POST-only actions (405), redirects, downloads, and pages of a later state of the quest
        # (its messages or attestation once submitted or accepted: 404 for a draft) are not pages here.
        if response.status_code in (302, 404, 405) or "text/html" not in response.get("Content-Type", ""):
            continue
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "data-game" not in html, url
        found = GAME_WORDS.search(_visible_text(html))
        assert found is None, f"{url}: {found.group(0) if found else ''}"
        checked.append(url)
    expected = {
        reverse("citizen:dashboard"),
        reverse("citizen:profile"),
        reverse("citizen:habits"),
        reverse("citizen:avatar"),
        reverse("citizen:catalogue"),
        reverse("citizen:procedure", kwargs={"slug": "passeport"}),
        reverse("citizen:quests"),
        reverse("citizen:quest", kwargs={"quest_id": rich_citizen["quest_id"]}),
        reverse(
            "citizen:quest-step", kwargs={"quest_id": rich_citizen["quest_id"], "step_slug": rich_citizen["step_slug"]}
        ),
        reverse("citizen:documents"),
        reverse("citizen:notifications"),
        reverse("citizen:assistant"),
    }
    assert expected <= set(checked)


# --- The home ------------------------------------------------------------------------------------


def test_home_shows_next_step_deadline_hook_and_habits_due(signed_in, citizen, rich_citizen):
    html = signed_in.get(reverse("citizen:dashboard")).content.decode()
    quest = Quest.objects.get(pk=rich_citizen["quest_id"])
    assert "Passeport" in html
    assert reverse("citizen:quest-step", args=[quest.pk, quest.current_step.slug]) in html
    assert "Passer en revue mes échéances" in html  # a habit due this period
    done = Habit.objects.get(citizen=citizen, code="admin_mail")
    assert reverse("citizen:habit-checkin", args=[done.pk]) not in html  # done this week: not due


def _history(citizen, quests: int, weeks: int) -> None:
    service = ServiceFactory()
    for number in range(quests):
        procedure, _revision = published(INSTRUCTED_STEPS, service=service, title=f"Démarche {number}")
        quest_start(citizen=citizen, procedure=procedure)
    habits = [
        services.habit_adopt(citizen=citizen, code=d.code, now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        for d in CATALOGUE
    ]
    start = dt.date(2024, 1, 1)
    CheckIn.objects.bulk_create(
        CheckIn(
            habit=habit,
            period_start=start + dt.timedelta(weeks=n),
            checked_at=dt.datetime(2024, 1, 1, tzinfo=HABITS_TIME_ZONE),
            source="self",
        )
        for habit in habits[:1]
        for n in range(weeks)
    )
    try:
        from civiquest.progress.xp import xp_award
    except ImportError:
        return
    for number in range(weeks):
        xp_award(citizen=citizen, amount=1, reason=f"test {number}", key=f"test-history:{citizen.pk}:{number}")


# 14, 5 for the citizen's "À faire" (quests, documents, answers, events, preferences), 1
# for the next appointments shown at the top of the page, and 2 for where each quest in
# progress is ("Étape 2 sur 6 : …": their answers and done steps, quests.journey).
HOME_MAX_QUERIES = 22


@pytest.mark.parametrize(("quests", "weeks"), [(1, 1), (12, 60)])
def test_home_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, quests, weeks):
    citizen = CitizenFactory()
    _history(citizen, quests, weeks)
    client.force_login(citizen)
    client.get(reverse("citizen:dashboard"))  # warm the level cache like any later visit
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        response = client.get(reverse("citizen:dashboard"))
    assert response.status_code == 200


@pytest.mark.parametrize(("quests", "weeks"), [(0, 1), (0, 80)])
def test_habits_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, quests, weeks):
    citizen = CitizenFactory()
    _history(citizen, quests, weeks)
    client.force_login(citizen)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("citizen:habits"))
    assert response.status_code == 200
