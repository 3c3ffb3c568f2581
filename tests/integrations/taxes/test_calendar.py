"""The tax calendar: zones by département, yearly data, and the deadline on the citizen home."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from civiquest.actions.quests import quest_start
from civiquest.integrations.address.moving.models import HomeAddress
from civiquest.integrations.taxes import calendar
from civiquest.quests.models import Answer, QuestState
from civiquest.www.citizen.home import tax_deadline_of
from tests.accounts.factories import login_verified
from tests.catalogue.factories import published

IN_CAMPAIGN_2024 = dt.date(2024, 5, 1)


@pytest.mark.parametrize(
    ("departement", "zone"),
    [
        ("01", 1),
        ("19", 1),
        ("20", 2),
        ("2A", 2),
        ("2B", 2),
        ("54", 2),
        ("55", 3),
        ("75", 3),
        ("95", 3),
        ("971", 3),
        ("974", 3),
        ("976", 3),
        ("00", None),
        ("98", None),
        ("977", None),
        (None, None),
    ],
)
def test_zone_of_each_boundary_departement(departement, zone):
    assert calendar.zone_of(departement) == zone


@pytest.mark.parametrize(
    ("citycode", "postcode", "departement"),
    [
        ("19272", "", "19"),
        ("2A004", "20000", "2A"),
        ("2B033", "20200", "2B"),
        ("", "20000", "2A"),
        ("", "20600", "2B"),
        ("54395", "", "54"),
        ("55502", "", "55"),
        ("97105", "97100", "971"),
        ("", "97600", "976"),
        ("97611", "", "976"),
        ("", "69003", "69"),
        ("", "abc", None),
        ("", "", None),
    ],
)
def test_departement_from_citycode_or_postcode(citycode, postcode, departement):
    assert calendar.departement_of(citycode=citycode, postcode=postcode) == departement


def test_every_campaign_has_three_online_deadlines_in_order():
    campaigns = calendar.campaigns()
    assert {2024, 2025, 2026} <= set(campaigns)
    assert campaigns[2024].verified is True
    assert campaigns[2025].verified is False
    assert campaigns[2024].online_deadlines == {
        1: dt.date(2024, 5, 23),
        2: dt.date(2024, 5, 30),
        3: dt.date(2024, 6, 6),
    }
    for campaign in campaigns.values():
        assert campaign.income_year == campaign.year - 1
        assert campaign.opening < campaign.paper_deadline < campaign.online_deadline(1)
        assert campaign.online_deadline(1) < campaign.online_deadline(2) < campaign.online_deadline(3)


def test_next_deadline_moves_to_next_year_once_passed():
    assert calendar.next_deadline(zone=1, today=dt.date(2024, 5, 23)).due_on == dt.date(2024, 5, 23)
    after = calendar.next_deadline(zone=1, today=dt.date(2024, 5, 24))
    assert after.campaign.year == 2025 and after.due_on == dt.date(2025, 5, 22)
    assert calendar.next_deadline(zone=3, today=dt.date(2024, 5, 24)).due_on == dt.date(2024, 6, 6)
    assert calendar.next_deadline(zone=2, today=dt.date(2099, 1, 1)) is None


def home_at(citizen, citycode: str, postcode: str) -> None:
    HomeAddress.objects.update_or_create(
        citizen=citizen,
        defaults={
            "address": {"label": f"1 rue Test {postcode}", "citycode": citycode, "postcode": postcode},
            "label": f"1 rue Test {postcode}",
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("citycode", "postcode", "zone", "due_on"),
    [
        ("19272", "19000", 1, dt.date(2024, 5, 23)),
        ("20004", "", 2, dt.date(2024, 5, 30)),  # not a real code: département 20 still is zone 2
        ("2A004", "20000", 2, dt.date(2024, 5, 30)),
        ("54395", "54000", 2, dt.date(2024, 5, 30)),
        ("55502", "55100", 3, dt.date(2024, 6, 6)),
        ("97105", "97100", 3, dt.date(2024, 6, 6)),
        ("97611", "97600", 3, dt.date(2024, 6, 6)),
    ],
)
def test_tax_deadline_of_follows_the_home_address_zone(citizen, citycode, postcode, zone, due_on):
    home_at(citizen, citycode, postcode)
    deadline = tax_deadline_of(citizen, today=IN_CAMPAIGN_2024)
    assert deadline is not None
    assert deadline.due_on == due_on
    assert f"zone {zone}" in deadline.label
    assert deadline.url == reverse("citizen:catalogue")  # no procedure follows the tax calendar yet


@pytest.mark.django_db
def test_the_deadline_leads_to_the_procedure_that_follows_the_tax_calendar_whatever_its_slug(citizen):
    info = [{"slug": "info", "title": "Info", "kind": "info"}]
    published(info, slug="declaration-revenus", title="Sans calendrier")
    published(info, slug="impots-en-ligne", title="Déclarer ses revenus", needs={"tax_calendar": True})
    deadline = tax_deadline_of(citizen, today=IN_CAMPAIGN_2024)
    assert deadline.url == reverse("citizen:procedure", args=["impots-en-ligne"])


@pytest.mark.django_db
def test_unknown_address_gives_zone_1_the_earliest(citizen):
    deadline = tax_deadline_of(citizen, today=IN_CAMPAIGN_2024)
    assert deadline.due_on == dt.date(2024, 5, 23)
    assert "zone 1" in deadline.label


@pytest.mark.django_db
def test_address_answer_of_a_quest_is_used_without_a_home_address(citizen):
    procedure, _revision = published(
        [
            {
                "slug": "adresse",
                "title": "Adresse",
                "kind": "form",
                "fields": [{"name": "adresse", "label": "Adresse", "kind": "address"}],
            }
        ]
    )
    quest = quest_start(citizen=citizen, procedure=procedure)
    Answer.objects.create(quest=quest, field_name="adresse", value="3 place Stanislas 54000 Nancy")
    assert tax_deadline_of(citizen, today=IN_CAMPAIGN_2024).due_on == dt.date(2024, 5, 30)


@pytest.mark.django_db
def test_no_deadline_out_of_season_or_once_declared(citizen):
    home_at(citizen, "75056", "75001")
    assert tax_deadline_of(citizen, today=dt.date(2024, 1, 15)) is None  # months before the opening
    assert tax_deadline_of(citizen, today=dt.date(2024, 3, 20)).due_on == dt.date(2024, 6, 6)
    procedure, _revision = published(
        [{"slug": "info", "title": "Info", "kind": "info"}],
        slug="declaration-revenus",
        title="Déclarer ses revenus",
        needs={"tax_calendar": True},
    )
    quest = quest_start(citizen=citizen, procedure=procedure)
    quest.state = QuestState.COMPLETED
    quest.submitted_at = dt.datetime(2024, 4, 20, 10, tzinfo=dt.UTC)
    quest.save()
    assert tax_deadline_of(citizen, today=IN_CAMPAIGN_2024) is None


@pytest.mark.django_db
def test_tax_deadline_costs_at_most_three_queries(citizen, django_assert_max_num_queries):
    home_at(citizen, "2A004", "20000")
    with django_assert_max_num_queries(3):
        tax_deadline_of(citizen, today=IN_CAMPAIGN_2024)


@pytest.mark.django_db
def test_the_citizen_dashboard_shows_the_deadline(client, citizen, settings, monkeypatch):
    from civiquest.www.citizen import home

    home_at(citizen, "2A004", "20000")
    monkeypatch.setattr(home, "today_local", lambda now=None: IN_CAMPAIGN_2024)
    login_verified(client, citizen)
    page = client.get(reverse("citizen:dashboard"))
    assert page.status_code == 200
    assert "zone 2" in page.content.decode()


@pytest.mark.django_db
def test_out_of_season_costs_no_query(citizen, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert tax_deadline_of(citizen, today=dt.date(2024, 11, 15)) is None


@pytest.mark.django_db
def test_home_in_season_stays_within_its_query_budget(client, citizen, monkeypatch, django_assert_max_num_queries):
    from civiquest.www.citizen import home
    from tests.progress.habits.test_views import HOME_MAX_QUERIES

    home_at(citizen, "55502", "55100")
    monkeypatch.setattr(home, "today_local", lambda now=None: IN_CAMPAIGN_2024)
    login_verified(client, citizen)
    client.get(reverse("citizen:dashboard"))  # warm the level cache like any later visit
    with django_assert_max_num_queries(HOME_MAX_QUERIES):
        page = client.get(reverse("citizen:dashboard"))
    assert "zone 3" in page.content.decode()
