"""The inbox's rows, written in Python (``www/agent/inbox_rows.py``) rather than by the template
language: the same cells, escaped, linked and translated as the template did."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from civiquest.instruction import inbox
from civiquest.instruction.models import Label, QuestLabel
from civiquest.quests.models import Quest, QuestState
from civiquest.www.agent.inbox_rows import inbox_rows_html
from tests.accounts.factories import CitizenFactory
from tests.instruction.helpers import submitted_quest


@pytest.fixture
def agent_client(client, instructor, login_verified):
    login_verified(client, instructor)
    return client


def _row_of(page: str, reference: str) -> str:
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if reference in row]
    assert len(rows) == 1
    return rows[0]


def test_a_row_shows_each_cell_with_the_citizen_s_words_escaped(agent_client, passport, mairie, instructor):
    citizen = CitizenFactory(first_name="<b>Zoé</b>", last_name="& Fils")
    quest = submitted_quest(passport, citizen=citizen)
    Quest.objects.filter(pk=quest.pk).update(
        assignee=instructor, deadline_at=dt.datetime(2027, 7, 14, 10, 0, tzinfo=dt.UTC)
    )
    for name in ("Urgent", "<i>Pièce</i>"):
        QuestLabel.objects.create(quest=quest, label=Label.objects.create(service=mairie, name=name))

    row = _row_of(agent_client.get(reverse("agent:home")).content.decode(), quest.reference)

    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert len(cells) == 8
    assert f'id="select-{quest.pk}" name="quests" value="{quest.pk}"' in cells[0]
    assert f'<span class="fr-sr-only">Sélectionner le dossier {quest.reference}</span>' in cells[0]
    assert cells[1] == f'<a href="{reverse("agent:quest", args=[quest.pk])}">{quest.reference}</a>'
    assert cells[2] == "&lt;b&gt;Zoé&lt;/b&gt; &amp; Fils"
    assert cells[3] == passport.title
    assert cells[4] == "Déposé"
    assert cells[5] == "14 juillet 2027 "
    assert cells[6] == instructor.get_full_name()
    assert cells[7] == "&lt;i&gt;Pièce&lt;/i&gt;, Urgent"


def test_a_row_without_deadline_assignee_or_labels_shows_dashes(passport, instructor):
    quest = submitted_quest(passport)
    Quest.objects.filter(pk=quest.pk).update(deadline_at=None)
    found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters())

    cells = re.findall(r"<td[^>]*>(.*?)</td>", str(inbox_rows_html(found.rows, quest_url="/agent/dossiers/")), re.S)

    assert cells[5:] == ["—", "—", "—"]


def test_the_deadline_is_the_day_in_paris_with_its_badge(passport, instructor):
    late = submitted_quest(passport)
    paused = submitted_quest(passport)
    # 23:30 UTC on 1 March is already 2 March in Paris.
    deadline = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    Quest.objects.filter(pk=late.pk).update(deadline_at=deadline)
    # Corrections asked: the deadline waits for the citizen.
    Quest.objects.filter(pk=paused.pk).update(
        state=QuestState.CHANGES_REQUESTED, deadline_at=deadline, deadline_paused_since=deadline
    )
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    rows = {row.pk: row for row in inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=now).rows}

    late_html = str(inbox_rows_html([rows[late.pk]], quest_url="/agent/dossiers/"))
    paused_html = str(inbox_rows_html([rows[paused.pk]], quest_url="/agent/dossiers/"))

    assert '<td>2 mars 2026 <p class="fr-badge fr-badge--error fr-badge--sm">En retard</p></td>' in late_html
    # A pause under way pushes the deadline back as time passes: paused on the day, it is now.
    assert '<td>10 mars 2026 <p class="fr-badge fr-badge--info fr-badge--sm">Délai suspendu</p></td>' in paused_html


def test_the_rows_speak_the_agent_s_language(passport, instructor):
    quest = submitted_quest(passport)
    Quest.objects.filter(pk=quest.pk).update(deadline_at=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    now = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)

    with translation.override("en"):
        found = inbox.inbox(agent=instructor, filters=inbox.InboxFilters(), now=now)
        html = str(inbox_rows_html(found.rows, quest_url="/agent/dossiers/"))

    assert f"Select file {quest.reference}" in html
    assert "1 March 2026" in html and ">Overdue</p>" in html and "Submitted" in html
