"""``{% citizen_fragment %}`` and the citizen pages cached through it: rendered again after any
change to the citizen's data, never shared between citizens, viewers, languages or display modes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from civiquest.actions.quests import quest_start
from civiquest.core.citizen_cache import citizen_data_changed
from civiquest.progress.habits.models import GamePreferences
from civiquest.progress.habits.selectors import game_visible_for
from civiquest.quests.models import Quest, QuestState
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db

TEMPLATE = Template(
    '{% load citizen_fragments %}{% citizen_fragment "thing" citizen_id quest_id %}'
    "{{ shown }}{% endcitizen_fragment %}"
)


def _render(citizen_id: int, shown: str, *, quest_id: int = 1, viewer: int = 1, game: bool = True) -> str:
    request = SimpleNamespace(user=SimpleNamespace(pk=viewer))
    context = {"citizen_id": citizen_id, "quest_id": quest_id, "shown": shown, "request": request}
    return TEMPLATE.render(Context({**context, "game_visible": game}))


def test_a_fragment_is_rendered_again_only_when_the_citizen_data_change():
    assert _render(7, "first") == "first"
    assert _render(7, "second") == "first"  # cached: "shown" is the citizen's data here
    citizen_data_changed(7)
    assert _render(7, "third") == "third"


def test_a_fragment_is_never_shared_between_citizens_viewers_modes_languages_or_values():
    assert _render(7, "citizen 7") == "citizen 7"
    assert _render(8, "citizen 8") == "citizen 8"
    assert _render(7, "a helper", viewer=2) == "a helper"
    assert _render(7, "mode sobre", game=False) == "mode sobre"
    assert _render(7, "another quest", quest_id=2) == "another quest"
    with translation.override("en"):
        assert _render(7, "in English") == "in English"
    assert _render(7, "again") == "citizen 7"


def test_no_citizen_renders_without_the_cache():
    assert _render(0, "first") == "first"
    assert _render(0, "second") == "second"


@pytest.fixture
def quest(db):
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.catalogue.definitions import CATALOGUE
    from civiquest.catalogue.models import Procedure

    catalogue_load()
    slug = next(item.slug for item in CATALOGUE if item.instructing_service and item.appointment_need)
    return quest_start(citizen=CitizenFactory(), procedure=Procedure.objects.get(slug=slug))


def test_the_quest_and_step_pages_show_a_decision_at_once(client, quest):
    client.force_login(quest.citizen)
    page = reverse("citizen:quest", args=[quest.pk])
    step = reverse("citizen:quest-step", args=[quest.pk, quest.current_step.slug])
    assert "Ce qu’il vous reste à faire" in client.get(page).content.decode()
    client.get(step)
    assert "Dossier commencé" in client.get(page).content.decode()  # the history, cached
    quest.state = QuestState.REJECTED
    quest.save(update_fields=["state"])
    html = client.get(page).content.decode()
    assert "Rien : cette démarche est terminée." in html
    assert html.count("Dossier passé à l’état") == 0  # a bare save records no transition
    assert client.get(step).status_code == 200


def test_mes_demarches_shows_a_new_quest_and_a_decision_at_once(client, quest):
    from civiquest.catalogue.definitions import CATALOGUE
    from civiquest.catalogue.models import Procedure

    client.force_login(quest.citizen)
    url = reverse("citizen:quests")
    assert quest.reference in client.get(url).content.decode()
    other = Procedure.objects.filter(slug__in=[item.slug for item in CATALOGUE]).exclude(pk=quest.procedure_id).first()
    second = quest_start(citizen=quest.citizen, procedure=other)
    html = client.get(url).content.decode()
    assert quest.reference in html and second.reference in html
    Quest.objects.filter(pk=second.pk).update(state=QuestState.COMPLETED)  # no signal: said by hand
    citizen_data_changed(quest.citizen_id)
    assert "Démarche terminée." in client.get(url).content.decode()


def test_mode_sobre_is_read_from_the_cache_and_follows_the_preference(quest):
    citizen = quest.citizen
    assert game_visible_for(type(citizen).objects.get(pk=citizen.pk))
    GamePreferences.objects.create(citizen=citizen, sober_mode=True)
    assert not game_visible_for(type(citizen).objects.get(pk=citizen.pk))
