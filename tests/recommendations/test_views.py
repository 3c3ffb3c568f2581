"""The citizen's "À faire": on the dashboard and its own page; declare, remove, answer, restore, switch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from civiquest.core.dates import paris_today
from civiquest.recommendations.models import Feedback, FeedbackKind, LifeEvent, Preferences
from tests.accounts.factories import CitizenFactory, login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    login_verified(client, citizen)
    client.citizen = citizen
    return client


def declare(client, code="demenagement", day=None):
    day = day or paris_today()
    return client.post(reverse("citizen:life-event-declare"), {"code": code, "occurred_on": day.isoformat()})


def test_a_move_declared_shows_its_procedures_with_deadline_and_reason_on_the_dashboard(signed_in):
    today = paris_today()
    response = declare(signed_in)
    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:todo")

    page = signed_in.get(reverse("citizen:dashboard")).content.decode()

    assert "Changer l’adresse de sa carte grise" in page
    assert 'data-recommendation="carte-grise-changement-adresse"' in page
    deadline = LifeEvent.objects.get().occurred_on
    assert deadline == today
    assert "Parce que vous avez déclaré un déménagement le" in page
    assert "Avant le" in page


def test_an_answer_posted_from_the_dashboard_comes_back_to_it_and_sticks(signed_in):
    declare(signed_in)
    url = reverse("citizen:recommendation-answer", args=["carte-grise-changement-adresse", "pas-pour-moi"])

    response = signed_in.post(url, {"next": reverse("citizen:dashboard")})

    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:dashboard")
    assert Feedback.objects.get().kind == FeedbackKind.DISMISSED
    for page in ("citizen:dashboard", "citizen:todo"):
        html = signed_in.get(reverse(page)).content.decode()
        assert 'data-recommendation="carte-grise-changement-adresse"' not in html
    assert "Propositions écartées" in signed_in.get(reverse("citizen:todo")).content.decode()


def test_next_pointing_elsewhere_is_ignored(signed_in):
    declare(signed_in)
    url = reverse("citizen:recommendation-answer", args=["changement-adresse", "plus-tard"])
    response = signed_in.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("citizen:todo")


def test_a_restored_procedure_is_proposed_again(signed_in):
    declare(signed_in)
    slug = "carte-grise-changement-adresse"
    signed_in.post(reverse("citizen:recommendation-answer", args=[slug, "deja-fait"]))
    signed_in.post(reverse("citizen:recommendation-restore", args=[slug]))
    assert Feedback.objects.count() == 0
    assert f'data-recommendation="{slug}"' in signed_in.get(reverse("citizen:todo")).content.decode()


def test_a_bad_date_is_refused_with_a_french_message_and_the_form_kept(signed_in):
    response = signed_in.post(reverse("citizen:life-event-declare"), {"code": "demenagement", "occurred_on": "hier"})
    assert response.status_code == 400
    assert "Saisissez une date valide." in response.content.decode()
    too_old = declare(signed_in, day=dt.date(2001, 1, 1))
    assert too_old.status_code == 400
    assert "Cette date est trop ancienne" in too_old.content.decode()
    assert LifeEvent.objects.count() == 0


def test_a_citizen_removes_only_their_own_events(signed_in):
    theirs = LifeEvent.objects.create(citizen=CitizenFactory(), code="voyage", occurred_on=paris_today())
    declare(signed_in, code="voyage")
    mine = LifeEvent.objects.get(citizen=signed_in.citizen)

    signed_in.post(reverse("citizen:life-event-remove", args=[theirs.pk]))
    signed_in.post(reverse("citizen:life-event-remove", args=[mine.pk]))

    assert list(LifeEvent.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_the_similar_switch_is_saved(signed_in):
    signed_in.post(reverse("citizen:recommendations-similar"), {})
    assert Preferences.objects.get(citizen=signed_in.citizen).use_similar is False
    signed_in.post(reverse("citizen:recommendations-similar"), {"use_similar": "on"})
    assert Preferences.objects.get(citizen=signed_in.citizen).use_similar is True


def test_the_catalogue_filtered_by_a_life_event_offers_to_declare_it_and_shows_what_to_do(signed_in, client):
    page = signed_in.get(reverse("citizen:catalogue"), {"life_event": "demenagement"}).content.decode()
    assert '<input type="hidden" name="code" value="demenagement">' in page
    assert "À faire pour vous" not in page

    declare(signed_in)
    page = signed_in.get(reverse("citizen:catalogue")).content.decode()
    assert "À faire pour vous" in page
    assert 'data-recommendation="carte-grise-changement-adresse"' in page

    client.logout()
    visitor = client.get(reverse("citizen:catalogue"), {"life_event": "demenagement"}).content.decode()
    assert 'name="code"' not in visitor and "À faire pour vous" not in visitor


def test_the_assistant_says_which_suggested_procedure_is_due_and_before_when(signed_in):
    from civiquest.assistant.conversations.models import Conversation, Message, MessageRole  # noqa: PLC0415 - only here

    declare(signed_in)
    conversation = Conversation.objects.create(citizen=signed_in.citizen, title="carte grise")
    question = Message.objects.create(conversation=conversation, role=MessageRole.CITIZEN, text="carte grise")
    Message.objects.create(
        conversation=conversation,
        role=MessageRole.ASSISTANT,
        text="Il faut changer l’adresse.",
        reply_to=question,
        outcome="answered",
        confidence=0.8,
        suggested_procedures=["carte-grise-changement-adresse", "acte-naissance"],
    )

    page = signed_in.get(reverse("citizen:assistant-conversation", args=[conversation.pk])).content.decode()

    assert page.count("À faire avant le") == 1
    assert "Parce que vous avez déclaré un déménagement le" in page
    # The move is declared: not offered again; the birth certificate's "lost papers" is.
    assert "?evenement=demenagement" not in page
    assert page.count("cela vous arrive ?") == 1
    assert "?evenement=perte_papiers" in page


def test_the_assistant_offers_to_declare_the_life_event_of_a_suggested_procedure(signed_in):
    from civiquest.assistant.conversations.models import Conversation, Message, MessageRole  # noqa: PLC0415 - only here

    conversation = Conversation.objects.create(citizen=signed_in.citizen, title="voyage")
    question = Message.objects.create(conversation=conversation, role=MessageRole.CITIZEN, text="voyage")
    Message.objects.create(
        conversation=conversation,
        role=MessageRole.ASSISTANT,
        text="Commandez la carte européenne.",
        reply_to=question,
        outcome="answered",
        confidence=0.8,
        suggested_procedures=["carte-europeenne-assurance-maladie"],
    )

    page = signed_in.get(reverse("citizen:assistant-conversation", args=[conversation.pk])).content.decode()

    link = reverse("citizen:todo") + "?evenement=voyage#life-events-title"
    assert f'href="{link}"' in page
    assert "« Je voyage à l’étranger » : cela vous arrive ?" in page
    form = signed_in.get(reverse("citizen:todo"), {"evenement": "voyage"}).content.decode()
    assert '<option value="voyage" selected>' in form


def test_mode_sobre_keeps_every_recommendation(signed_in):
    from civiquest.progress.habits.models import GamePreferences  # noqa: PLC0415 - only here

    declare(signed_in)
    shown = signed_in.get(reverse("citizen:dashboard")).content.decode().count("data-recommendation=")
    GamePreferences.objects.create(citizen=signed_in.citizen, sober_mode=True)

    sober = signed_in.get(reverse("citizen:dashboard")).content.decode()

    assert shown == 3
    assert sober.count("data-recommendation=") == shown
