"""Visitors who are not signed in ask at /assistant/: nothing stored, a limit per address (shared cache), CSRF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from civiquest.assistant.conversations.models import Conversation, Feedback, Message
from civiquest.assistant.conversations.services import visitor_key
from tests.accounts.factories import AgentFactory, StaffFactory, login_verified
from tests.assistant.conversations.conftest import sse_events

pytestmark = pytest.mark.django_db

PAGE = "citizen:assistant-visitor"
STREAM = "citizen:assistant-visitor-stream"
QUESTION = "Quels documents pour demander un passeport ?"


def nothing_stored() -> bool:
    return not (Conversation.objects.exists() or Message.objects.exists() or Feedback.objects.exists())


def stream(client, question=QUESTION, **extra):
    response = client.post(reverse(STREAM), {"question": question}, **extra)
    return response, sse_events(b"".join(response.streaming_content))


def test_the_page_says_nothing_is_stored_and_offers_to_sign_in(client):
    response = client.get(reverse(PAGE))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rien n’est enregistré : ni vos questions, ni les réponses." in html
    assert f'href="{reverse("oidc:franceconnect")}?next=%2Fmon-espace%2Fassistant%2F"' in html
    assert f'data-stream-url="{reverse(STREAM)}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_the_question_in_the_address_fills_the_form_in(client):
    html = client.get(reverse(PAGE), {"question": "perdu ma carte"}).content.decode()
    assert "\nperdu ma carte</textarea>" in html


def test_a_visitor_asks_and_gets_the_answer_with_its_sources_and_nothing_is_stored(client, knowledge):
    response = client.post(reverse(PAGE), {"question": QUESTION + " Écrivez-moi à jean.dupont@example.fr"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Réponse de l’assistant" in html
    assert "Demander ou renouveler un passeport" in html  # the source's card, the procedure's tile
    assert "Faire la démarche" in html
    # The question is shown as it was answered: redacted.
    assert "jean.dupont@example.fr" not in html and "[courriel masqué]" in html
    assert "Cette réponse vous a-t-elle aidé" not in html  # no feedback: nothing to attach it to
    assert nothing_stored()


def test_an_empty_question_names_the_field(client):
    response = client.post(reverse(PAGE), {"question": "   "})
    assert response.status_code == 400
    assert "« Votre question » est vide" in response.content.decode()


def test_the_stream_answers_a_visitor_and_stores_nothing(client, knowledge):
    response, events = stream(client)
    kinds = [name for name, _data in events]
    assert response.status_code == 200
    assert kinds[0] == "sources" and kinds[-1] == "done" and "token" in kinds
    assert events[0][1]["sources"][0]["kind_label"] in {"Démarche CiviQuest", "Fiche service-public.fr"}
    done = events[-1][1]
    assert done["html"].strip().startswith('<div class="cq-assistant-answer">')
    assert "message" not in done and "conversation" not in events[0][1]
    assert nothing_stored()


def test_the_csrf_token_is_checked(knowledge):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse(PAGE), {"question": QUESTION}).status_code == 403
    assert client.post(reverse(STREAM), {"question": QUESTION}).status_code == 403
    page = client.get(reverse(PAGE))
    token = page.cookies["csrftoken"].value
    answered = client.post(reverse(PAGE), {"question": QUESTION, "csrfmiddlewaretoken": token})
    assert answered.status_code == 200


def test_the_limit_is_per_address_in_the_shared_cache(client, knowledge, settings):
    settings.ASSISTANT_VISITOR_RATE_LIMIT_QUESTIONS = 2
    for _time in range(2):
        assert client.post(reverse(PAGE), {"question": QUESTION}).status_code == 200
    refused = client.post(reverse(PAGE), {"question": "Et la carte d’identité ?"})
    assert refused.status_code == 429
    assert 590 <= int(refused["Retry-After"]) <= 600
    html = refused.content.decode()
    assert "Trop de questions ont été posées depuis votre connexion" in html
    assert "Et la carte d’identité ?" in html  # the question is kept in the form
    response, events = stream(client)
    assert response.status_code == 429 and events == [("error", {"message": events[0][1]["message"]})]
    # Another address has its own count; the limit lives in the cache, not in the session.
    other = Client(REMOTE_ADDR="192.0.2.10")
    assert other.post(reverse(PAGE), {"question": QUESTION}).status_code == 200
    from django.core.cache import cache

    assert cache.get("ratelimit:assistant:visitor:127.0.0.1") == 4  # the page twice, then refused twice
    assert nothing_stored()


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_address(client, knowledge, settings):
    settings.ASSISTANT_VISITOR_RATE_LIMIT_QUESTIONS = 1
    settings.CIVIQUEST_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = Client(REMOTE_ADDR="10.0.0.2")

    def ask(forwarded):
        return proxied.post(reverse(PAGE), {"question": QUESTION}, headers={"X-Forwarded-For": forwarded}).status_code

    assert ask("198.51.100.7") == 200
    assert ask("198.51.100.7") == 429
    assert ask("198.51.100.8") == 200
    # A client cannot choose its address by writing the header itself: the proxy appends the real one.
    assert ask("203.0.113.1, 198.51.100.8") == 429


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("", "unknown"),
        ("pas une adresse", "unknown"),
    ],
)
def test_an_ipv6_address_counts_by_its_64(address, key):
    assert visitor_key(address) == key


def test_a_signed_in_citizen_is_sent_to_their_chat_which_keeps_the_history(client, citizen, knowledge):
    login_verified(client, citizen)
    response = client.get(reverse(PAGE), {"question": "perdu ma carte"})
    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:assistant") + "?question=perdu+ma+carte"
    assert "\nperdu ma carte</textarea>" in client.get(response["Location"]).content.decode()
    assert client.get(reverse(PAGE))["Location"] == reverse("citizen:assistant")
    # A question posted here is answered and kept in the citizen's history.
    posted = client.post(reverse(PAGE), {"question": QUESTION})
    assert posted.status_code == 302
    assert Conversation.objects.get().citizen == citizen
    _response, events = stream(client, question="Combien coûte un passeport ?")
    assert events[-1][0] == "done" and events[-1][1]["message"]
    assert Message.objects.filter(conversation__citizen=citizen).count() == 4


@pytest.mark.parametrize("factory", [AgentFactory, StaffFactory])
def test_agents_and_staff_ask_as_visitors(client, knowledge, factory):
    login_verified(client, factory())
    page = client.get(reverse(PAGE)).content.decode()
    assert "Rien n’est enregistré" in page
    assert "Se connecter pour garder" not in page
    assert client.post(reverse(PAGE), {"question": QUESTION}).status_code == 200
    assert nothing_stored()


def test_the_landing_page_searches_the_catalogue_and_leads_to_the_assistant(client):
    html = client.get(reverse("citizen:home")).content.decode()
    assert f'action="{reverse("citizen:catalogue")}"' in html and 'name="q"' in html
    assert f'href="{reverse(PAGE)}"' in html


def test_a_catalogue_search_offers_to_ask_the_assistant(client, citizen, knowledge):
    html = client.get(reverse("citizen:catalogue"), {"q": "perdu ma carte"}).content.decode()
    assert f'action="{reverse(PAGE)}"' in html
    assert '<input type="hidden" name="question" value="perdu ma carte">' in html
    assert "Une question plutôt qu’une démarche ?" not in client.get(reverse("citizen:catalogue")).content.decode()
    login_verified(client, citizen)
    html = client.get(reverse("citizen:catalogue"), {"q": "perdu ma carte"}).content.decode()
    assert f'action="{reverse("citizen:assistant")}"' in html
