"""The assistant's panel on quest pages: it posts to the chat with the procedure and step the citizen is on."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from civiquest.catalogue.models import Procedure
from civiquest.quests.services import quest_start

pytestmark = pytest.mark.django_db


def test_the_panel_carries_the_quest_procedure_and_step(rf, citizen, knowledge):
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))
    step = quest.revision.steps.order_by("position").last()
    request = rf.get("/")
    request.user = citizen
    html = render_to_string("citizen/assistant/_panel.html", {"quest": quest, "step": step}, request=request)
    assert f'action="{reverse("citizen:assistant")}"' in html
    assert f'data-stream-url="{reverse("citizen:assistant-stream")}"' in html
    assert '<input type="hidden" name="procedure" value="passeport">' in html
    assert f'value="{step.slug}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label class="fr-label" for="assistant-panel-question">' in html


def test_without_a_step_the_panel_uses_the_quest_current_step(rf, citizen, knowledge):
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))
    request = rf.get("/")
    request.user = citizen
    html = render_to_string("citizen/assistant/_panel.html", {"quest": quest}, request=request)
    assert quest.current_step is not None
    assert f'value="{quest.current_step.slug}"' in html
