"""The chat as DSFR text, one "Votre question" heading per question, the history and long conversations paginated."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civiquest.assistant.conversations.models import Message, MessageRole
from civiquest.assistant.conversations.selectors import EXCHANGES_PAGE_SIZE, HISTORY_PAGE_SIZE
from civiquest.assistant.conversations.services import answer_record, question_ask
from civiquest.assistant.types import Citation, Reply
from tests.accounts.factories import login_verified
from tests.assistant.conversations.conftest import sse_events

pytestmark = pytest.mark.django_db

FICHE_URL = "https://www.service-public.fr/particuliers/vosdroits/F21089"
REPLY = Reply(
    text=(
        "D'après les sources officielles :\n"
        "- « Le passeport est valable 10 ans. »\n"
        "- « Le timbre fiscal coûte 86 €. »\n"
        f"  Source : Passeport ({FICHE_URL})"
    ),
    citations=(Citation(id="F21089", title="Passeport", url=FICHE_URL, kind="fiche"),),
    confidence=0.7,
    provider="extractive",
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def signed_in(client, citizen, settings):
    settings.ASSISTANT_RATE_LIMIT_QUESTIONS = 10_000
    login_verified(client, citizen)
    return client


def ask(citizen, text, conversation=None, reply=REPLY):
    question = question_ask(citizen=citizen, text=text, conversation=conversation)
    return answer_record(question=question, reply=reply)


def conversation_url(conversation_id, **query):
    url = reverse("citizen:assistant-conversation", kwargs={"conversation_id": conversation_id})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def headings(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", html, re.S)]


def test_the_answer_is_dsfr_text_with_a_list_and_a_link_named_by_its_source(signed_in, citizen):
    answer = ask(citizen, "Combien de temps dure un passeport ?")
    html = signed_in.get(conversation_url(answer.conversation_id)).content.decode()
    assert "<li>\n        « Le passeport est valable 10 ans. »" in html
    assert f'Source : <a href="{FICHE_URL}">Passeport</a>' in html
    assert f"({FICHE_URL})" not in html  # the pasted URL is gone
    assert "- « Le passeport" not in html
    # The sources as cards, apart from the text.
    assert 'class="fr-card fr-card--sm fr-enlarge-link"' in html
    assert f'id="message-{answer.pk}-source-1"' in html


def test_votre_question_is_a_heading_once_per_question_and_never_above_the_form(signed_in, citizen):
    page = signed_in.get(reverse("citizen:assistant")).content.decode()
    assert "Votre question" not in headings(page)
    assert headings(page).count("Poser une question") == 1
    answer = ask(citizen, "Combien de temps dure un passeport ?")
    page = signed_in.get(conversation_url(answer.conversation_id)).content.decode()
    assert headings(page).count("Votre question") == 1
    assert headings(page).count("Poser une autre question") == 1


def test_the_procedures_to_start_are_apart_from_the_sources(signed_in, citizen, knowledge):
    reply = Reply(
        text="Réponse.",
        citations=REPLY.citations,
        confidence=0.7,
        provider="extractive",
        procedures=(Citation(id="passeport", title="Passeport", url="/demarches/passeport/", kind="procedure"),),
    )
    answer = ask(citizen, "Passeport ?", reply=reply)
    assert answer.suggested_procedures == ["passeport"]
    html = signed_in.get(conversation_url(answer.conversation_id)).content.decode()
    sources, _sep, procedures = html.partition("Faire la démarche")
    assert FICHE_URL in sources and FICHE_URL not in procedures
    assert 'href="/demarches/passeport/">Demander ou renouveler un passeport</a>' in procedures


def test_the_streams_last_event_is_the_pages_rendering_of_the_answer(signed_in, knowledge):
    response = signed_in.post(
        reverse("citizen:assistant-stream"), {"question": "Quels documents pour demander un passeport ?"}
    )
    events = sse_events(b"".join(response.streaming_content))
    done = events[-1]
    assert done[0] == "done"
    answer = Message.objects.get(role=MessageRole.ASSISTANT)
    page = signed_in.get(conversation_url(answer.conversation_id)).content.decode()
    streamed = CSRF.sub("", done[1]["html"]).strip()
    assert streamed.startswith('<div class="cq-assistant-answer">')
    assert streamed in CSRF.sub("", page)
    assert "<ul>" in streamed and "fr-card" in streamed


# --- Pagination ---------------------------------------------------------------------------------------


def test_the_history_is_paginated_most_recent_first(signed_in, citizen):
    for number in range(HISTORY_PAGE_SIZE + 3):
        ask(citizen, f"Question numéro {number:02d} ?")
    first = signed_in.get(reverse("citizen:assistant")).content.decode()
    assert "Question numéro 22 ?" in first and "Question numéro 03 ?" in first
    assert "Question numéro 02 ?" not in first
    assert 'aria-label="Pages de mes conversations"' in first
    assert "?conversations=2" in first
    second = signed_in.get(reverse("citizen:assistant") + "?conversations=2").content.decode()
    assert "Question numéro 02 ?" in second and "Question numéro 00 ?" in second
    assert "Question numéro 03 ?" not in second
    # A page number that is not one shows the first page.
    wrong = signed_in.get(reverse("citizen:assistant") + "?conversations=abc").content.decode()
    assert "Question numéro 22 ?" in wrong


def test_a_long_conversation_shows_its_latest_exchanges_and_pages_back(signed_in, citizen):
    first = ask(citizen, "Échange 00 ?")
    conversation = first.conversation
    for number in range(1, EXCHANGES_PAGE_SIZE + 3):
        last = ask(citizen, f"Échange {number:02d} ?", conversation=conversation)
    latest = signed_in.get(conversation_url(conversation.pk)).content.decode()
    # The last page by default: where the redirect after a question lands (#message-<id>).
    assert f'id="message-{last.pk}"' in latest
    assert "Échange 12 ?" in latest and "Échange 10 ?" in latest and "Échange 09 ?" not in latest
    assert "Questions 11 à 13 sur 13" in latest
    assert 'aria-label="Pages de la conversation"' in latest
    earlier = signed_in.get(conversation_url(conversation.pk, page=1)).content.decode()
    assert "Échange 00 ?" in earlier and "Échange 09 ?" in earlier and "Échange 10 ?" not in earlier
    for wrong in ("abc", "0", "99999999999999999999999"):
        assert "Échange 12 ?" in signed_in.get(conversation_url(conversation.pk, page=wrong)).content.decode()


def test_both_paginations_keep_each_others_page(signed_in, citizen):
    conversation = ask(citizen, "Échange 00 ?").conversation
    for number in range(1, EXCHANGES_PAGE_SIZE + 1):
        ask(citizen, f"Échange {number:02d} ?", conversation=conversation)
    for number in range(HISTORY_PAGE_SIZE):
        ask(citizen, f"Autre {number} ?")
    html = signed_in.get(conversation_url(conversation.pk, page=1, conversations=2)).content.decode()
    assert "?conversations=2&amp;page=2" in html  # the thread's next page keeps the history's
    assert "?page=1&amp;conversations=1" in html  # the history's first page keeps the thread's
    assert "Échange 00 ?" in html


def test_the_pages_read_a_fixed_number_of_queries_however_long_the_history(
    signed_in, citizen, django_assert_num_queries
):
    conversation = ask(citizen, "Échange 00 ?").conversation
    url = conversation_url(conversation.pk)
    signed_in.get(url)
    with CaptureQueriesContext(connection) as short:
        signed_in.get(url)
        signed_in.get(reverse("citizen:assistant"))
    for number in range(1, 3 * EXCHANGES_PAGE_SIZE):
        ask(citizen, f"Échange {number:02d} ?", conversation=conversation)
    for number in range(3 * HISTORY_PAGE_SIZE):
        ask(citizen, f"Autre {number} ?")
    with django_assert_num_queries(len(short.captured_queries)):
        signed_in.get(url)
        signed_in.get(reverse("citizen:assistant"))
