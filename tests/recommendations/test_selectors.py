"""A citizen's recommendations from the database: events, titles, quests, answers, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from civiquest.actions.quests import quest_start
from civiquest.catalogue.models import Procedure
from civiquest.documents.models import Document, DocumentType
from civiquest.quests.models import Quest, QuestState
from civiquest.recommendations import services
from civiquest.recommendations.models import FeedbackKind, LifeEvent
from civiquest.recommendations.selectors import recommendations_for
from tests.accounts.factories import CitizenFactory

pytestmark = pytest.mark.django_db

# Out of the tax season of the calendar data: only the citizen's own events count.
TODAY = dt.date(2026, 10, 5)


def slugs(ranked):
    return [item.procedure_slug for item in ranked.items]


def test_a_move_brings_its_procedures_with_the_reason_and_the_legal_deadline(rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    LifeEvent.objects.create(citizen=citizen, code="demenagement", occurred_on=dt.date(2026, 10, 1))

    ranked = recommendations_for(citizen, today=TODAY)

    assert slugs(ranked) == ["carte-grise-changement-adresse", "changement-adresse", "inscription-listes-electorales"]
    grey_card = ranked.items[0]
    assert grey_card.deadline == dt.date(2026, 11, 1)
    assert (
        grey_card.reason == "Parce que vous avez déclaré un déménagement le 1 octobre 2026 : avant le 1 novembre 2026"
    )
    assert grey_card.source_url == "https://www.service-public.fr/particuliers/vosdroits/F14128"
    assert grey_card.kind == "rule"


def test_a_minor_is_not_told_to_register_on_the_electoral_roll_after_a_move(rules):
    citizen = CitizenFactory(birthdate=dt.date(2012, 1, 1))
    LifeEvent.objects.create(citizen=citizen, code="demenagement", occurred_on=dt.date(2026, 10, 1))

    assert "inscription-listes-electorales" not in slugs(recommendations_for(citizen, today=TODAY))


def test_the_census_is_due_from_the_16th_birthday_to_the_end_of_the_third_month_after(rules):
    citizen = CitizenFactory(birthdate=dt.date(2010, 7, 31))

    before = recommendations_for(citizen, today=dt.date(2026, 7, 30))
    on_the_day = recommendations_for(citizen, today=dt.date(2026, 7, 31))
    last_day = recommendations_for(citizen, today=dt.date(2026, 10, 31))
    late = recommendations_for(citizen, today=dt.date(2026, 11, 1))
    given_up = recommendations_for(citizen, today=dt.date(2027, 8, 1))

    assert "recensement-citoyen" not in slugs(before)
    assert on_the_day.items[0].procedure_slug == "recensement-citoyen"
    assert on_the_day.items[0].deadline == dt.date(2026, 10, 31)
    assert "recensement-citoyen" in slugs(last_day)
    # Late, it is still to do (a year), and says the deadline has passed.
    assert late.items[0].reason.endswith(": la date limite était le 31 octobre 2026")
    assert "recensement-citoyen" not in slugs(given_up)


def test_a_passport_in_the_wallet_expiring_in_five_months_is_to_renew_before_it_expires(rules):
    citizen = CitizenFactory(birthdate=dt.date(1980, 1, 1))
    Document.objects.create(
        owner=citizen, type=DocumentType.PASSPORT, expires_on=dt.date(2027, 3, 1), size=1, sha256="0" * 64
    )

    item = recommendations_for(citizen, today=TODAY).items[0]

    assert (item.procedure_slug, item.kind, item.deadline) == ("passeport", "expiry", dt.date(2027, 3, 1))
    assert item.reason == "Parce que votre passeport expire le 1 mars 2027 : avant le 1 mars 2027"


def test_a_passport_renewed_through_a_quest_silences_the_old_one(rules):
    citizen = CitizenFactory(birthdate=dt.date(1980, 1, 1))
    Document.objects.create(
        owner=citizen, type=DocumentType.PASSPORT, expires_on=dt.date(2027, 3, 1), size=1, sha256="0" * 64
    )
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))

    in_progress = recommendations_for(citizen, today=TODAY)
    assert slugs(in_progress) == []
    assert [(item.procedure_slug, item.quest_id) for item in in_progress.resume] == [("passeport", quest.pk)]

    decided = dt.datetime(2026, 10, 2, 10, tzinfo=dt.UTC)
    Quest.objects.filter(pk=quest.pk).update(state=QuestState.ACCEPTED, decided_at=decided)
    done = recommendations_for(citizen, today=TODAY)
    assert (slugs(done), done.resume) == ([], ())


def test_dismissed_is_never_shown_again_snoozed_comes_back_after_its_days(rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    LifeEvent.objects.create(citizen=citizen, code="demenagement", occurred_on=dt.date(2026, 10, 1))
    grey_card = Procedure.objects.get(slug="carte-grise-changement-adresse")
    moving = Procedure.objects.get(slug="changement-adresse")

    services.feedback_give(citizen=citizen, procedure=grey_card, kind=FeedbackKind.DISMISSED, today=TODAY)
    services.feedback_give(citizen=citizen, procedure=moving, kind=FeedbackKind.SNOOZED, today=TODAY, days=7)

    assert slugs(recommendations_for(citizen, today=TODAY + dt.timedelta(days=7))) == [
        "inscription-listes-electorales"
    ]
    assert slugs(recommendations_for(citizen, today=TODAY + dt.timedelta(days=8))) == [
        "changement-adresse",
        "inscription-listes-electorales",
    ]


def test_done_elsewhere_counts_as_done(rules):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    LifeEvent.objects.create(citizen=citizen, code="naissance", occurred_on=dt.date(2026, 10, 3))
    birth = Procedure.objects.get(slug="declaration-naissance")
    assert slugs(recommendations_for(citizen, today=TODAY)) == ["declaration-naissance"]

    services.feedback_give(citizen=citizen, procedure=birth, kind=FeedbackKind.DONE_ELSEWHERE, today=TODAY)

    assert slugs(recommendations_for(citizen, today=TODAY)) == []


def test_another_citizens_events_and_quests_change_nothing(rules):
    citizen, other = CitizenFactory(birthdate=dt.date(1990, 4, 2)), CitizenFactory(birthdate=dt.date(1990, 4, 2))
    LifeEvent.objects.create(citizen=other, code="deces", occurred_on=dt.date(2026, 10, 5))

    assert slugs(recommendations_for(citizen, today=TODAY)) == []
    assert slugs(recommendations_for(other, today=TODAY)) == ["declaration-deces"]


def test_the_queries_do_not_grow_with_events_documents_and_quests(rules, django_assert_num_queries):
    citizen = CitizenFactory(birthdate=dt.date(1990, 4, 2))
    recommendations_for(citizen, today=TODAY)  # fills the shared cache
    with django_assert_num_queries(5) as few:
        recommendations_for(citizen, today=TODAY)
    for code in ("demenagement", "voyage", "perte_papiers", "emploi"):
        LifeEvent.objects.create(citizen=citizen, code=code, occurred_on=dt.date(2026, 10, 1))
    for kind in (DocumentType.PASSPORT, DocumentType.IDENTITY_CARD, DocumentType.DRIVING_LICENCE):
        Document.objects.create(owner=citizen, type=kind, expires_on=dt.date(2027, 1, 1), size=1, sha256="0" * 64)
    for slug in ("passeport", "changement-adresse", "acte-naissance"):
        quest_start(citizen=citizen, procedure=Procedure.objects.get(slug=slug))
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(recommendations_for(citizen, today=TODAY).items) == 5


def test_the_data_export_holds_the_events_answers_and_choice(rules):
    from civiquest.privacy.selectors import citizen_data  # noqa: PLC0415 - privacy is above; read only here

    citizen = CitizenFactory()
    LifeEvent.objects.create(citizen=citizen, code="voyage", occurred_on=dt.date(2026, 12, 24))
    services.feedback_give(
        citizen=citizen, procedure=Procedure.objects.get(slug="passeport"), kind=FeedbackKind.SNOOZED, today=TODAY
    )
    services.similar_switch(citizen=citizen, use_similar=False)

    data = citizen_data(citizen)

    assert [(row["code"], row["occurred_on"]) for row in data["life_events"]] == [("voyage", dt.date(2026, 12, 24))]
    assert [(row["kind"], row["until"]) for row in data["recommendation_answers"]] == [
        ("snoozed", TODAY + dt.timedelta(days=7))
    ]
    assert [row["use_similar"] for row in data["recommendation_preferences"]] == [False]
