"""Staff read and edit the recommendation rules at /gestion/recommandations/, each change a revision."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civiquest.accounts.models import AuditEvent
from civiquest.actions.catalogue import catalogue_load
from civiquest.actions.recommendations import AUDIT_RULE_UPDATE, recommendation_rule_update
from civiquest.recommendations.models import Rule, RuleRevision
from civiquest.recommendations.rules import rules_load
from tests.accounts.factories import AgentFactory, CitizenFactory, login_verified

pytestmark = pytest.mark.django_db
LIST = reverse("staff:recommendation-rules")


def rule_url(code: str) -> str:
    return reverse("staff:recommendation-rule", kwargs={"code": code})


@pytest.fixture
def rules():
    catalogue_load()
    rules_load()
    return {rule.code: rule for rule in Rule.objects.select_related("procedure")}


@pytest.fixture
def staff_client(client, staff):
    login_verified(client, staff)
    return client


def form_data(rule: Rule, **overrides: object) -> dict[str, object]:
    """What the rule page's form posts for ``rule`` unchanged, with ``overrides``."""
    data: dict[str, object] = {
        "relevance": str(rule.relevance).replace(".", ","),
        "min_age": rule.eligibility.get("min_age", ""),
        "max_age": rule.eligibility.get("max_age", ""),
        "holds_title": rule.eligibility.get("holds_title", ""),
        "lacks_valid_title": rule.eligibility.get("lacks_valid_title", ""),
        "note": rule.note,
        "source_label": rule.source_label,
        "source_url": rule.source_url,
        "comment": "",
    }
    if rule.only_by_rule:
        data["only_by_rule"] = "on"
    if rule.active:
        data["active"] = "on"
    for name in ("due_from", "deadline", "until"):
        offset = getattr(rule, name)
        unit = "days" if "days" in offset else "months"
        amount = offset.get(unit)
        data |= {
            f"{name}_amount": "" if amount is None else abs(amount),
            f"{name}_unit": unit,
            f"{name}_direction": "before" if amount is not None and amount < 0 else "after",
        }
        if offset.get("month_end"):
            data[f"{name}_month_end"] = "on"
    data.update(overrides)
    return data


def test_the_list_groups_the_rules_by_trigger_in_words(staff_client, rules):
    response = staff_client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    # Triggers by their labels, never their codes.
    assert "Expiration du passeport" in page
    assert ">expiry-passport<" not in page and "tax-calendar" not in page.replace('id="declencheur-tax-calendar"', "")
    # When it becomes due, the deadline and the conditions in words.
    assert "À partir de 6 mois avant" in page
    assert "Dans le mois qui suit" in page
    assert "Avant le 15 mai" in page
    assert "Jusqu’à la date limite de la déclaration en ligne" in page
    assert "Sans date limite, proposée jusqu’à 12 mois après" in page
    assert "Avant la fin du 3e mois qui suit" in page
    assert "18 ans ou plus" in page
    assert "A déjà un passeport" in page
    assert "N’a pas de passeport valide à la date de l’événement" in page
    assert 'href="https://www.service-public.fr/particuliers/vosdroits/F21091"' in page
    assert f'href="{rule_url("passeport-expiration")}"' in page
    # The sub-navigation shows where staff are.
    assert re.search(rf'href="{LIST}"\s+aria-current="page"', page)


def test_the_list_queries_are_bounded(staff_client, rules, django_assert_max_num_queries):
    staff_client.get(LIST)  # sessions and caches warm
    with django_assert_max_num_queries(6) as captured:
        assert staff_client.get(LIST).status_code == 200
    # One query for the rules, their procedures and revision counts: no query per rule.
    assert sum("recommendations_rule" in query["sql"] for query in captured.captured_queries) == 1


def test_the_rule_page_shows_the_form_and_the_revisions(staff_client, rules, django_assert_max_num_queries):
    url = rule_url("etudes-bourse")
    staff_client.get(url)
    with django_assert_max_num_queries(8):
        response = staff_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="true">Recommandations' in page
    assert "Motif de la modification" in page
    # A fixed day of the year cannot be typed in the form: shown in words and kept.
    assert "À partir du 15 janvier qui précède la date située 4 mois avant" in page
    assert "Cette date ne se règle pas avec ce formulaire" in page
    assert 'name="deadline_amount"' not in page and 'name="until_amount"' in page
    assert "chargé depuis rules.yaml" in page
    assert "Première version" in page
    assert "{" not in page.split("<main", 1)[1].split("</main>", 1)[0].replace("{%", "")


def test_staff_edit_a_rule_a_revision_names_them_and_the_audit_has_it(staff_client, staff, rules):
    rule = rules["demenagement-carte-grise"]
    data = form_data(
        rule,
        deadline_amount=2,
        relevance="0,7",
        min_age=18,
        comment="Délai de 2 mois d’après la nouvelle fiche.",
    )
    response = staff_client.post(rule_url(rule.code), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rule.refresh_from_db()
    assert rule.deadline == {"months": 2}
    assert rule.relevance == 0.7
    assert rule.eligibility == {"min_age": 18}
    assert rule.until == {"months": 6} and rule.due_from == {}
    revision = RuleRevision.objects.filter(rule=rule).order_by("-number").first()
    assert revision.number == 2
    assert revision.author == staff
    assert revision.comment == "Délai de 2 mois d’après la nouvelle fiche."
    event = AuditEvent.objects.get(action=AUDIT_RULE_UPDATE)
    assert event.actor_id == staff.pk
    assert event.motivation == "Délai de 2 mois d’après la nouvelle fiche."
    assert event.details == {"changed": ["deadline", "eligibility", "relevance"]}

    page = staff_client.get(rule_url(rule.code)).content.decode()
    assert "La règle est enregistrée" in page
    assert "Date limite : dans le mois qui suit → dans les 2 mois qui suivent" in page
    assert "Pertinence : 0,9 → 0,7" in page
    assert "Conditions : aucune → 18 ans ou plus" in page
    assert (staff.get_full_name() or staff.username) in page


def test_offsets_the_form_cannot_write_are_kept(staff_client, rules):
    tax = rules["declaration-revenus-annuelle"]
    response = staff_client.post(rule_url(tax.code), form_data(tax, min_age=20, comment="Majorité fiscale."))
    assert response.status_code == 302
    tax.refresh_from_db()
    assert tax.deadline == {"calendar": "online"}
    assert tax.eligibility == {"min_age": 20}

    grant = rules["etudes-bourse"]
    response = staff_client.post(rule_url(grant.code), form_data(grant, until_amount=1, comment="Un mois de plus."))
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.due_from == {"months": -4, "last": "01-15"}
    assert grant.deadline == {"last": "05-15"}
    assert grant.until == {"months": 1}


def test_month_end_and_before_the_event_round_trip(staff_client, rules):
    rule = rules["recensement-16-ans"]
    response = staff_client.post(rule_url(rule.code), form_data(rule, deadline_amount=4, comment="4 mois."))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.deadline == {"months": 4, "month_end": True}
    rule = rules["voyage-ceam"]
    response = staff_client.post(rule_url(rule.code), form_data(rule, deadline_amount=21, comment="3 semaines."))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.deadline == {"days": -21}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"relevance": "2"}, "La pertinence doit être comprise entre 0 et 1."),
        ({"source_url": "http://www.service-public.fr/F1"}, "L’adresse de la source doit commencer par https://."),
        ({"until_amount": ""}, "Sans date limite, indiquez jusqu’à quand la démarche est proposée."),
    ],
)
def test_a_change_the_rules_refuse_shows_french_errors_and_saves_nothing(staff_client, rules, overrides, message):
    rule = rules["demenagement-listes-electorales"]
    before = {name: getattr(rule, name) for name in ("relevance", "source_url", "until")}
    response = staff_client.post(rule_url(rule.code), form_data(rule, comment="Essai.", **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "La règle n’est pas enregistrée" in page
    assert "must" not in page
    rule.refresh_from_db()
    assert {name: getattr(rule, name) for name in before} == before
    assert RuleRevision.objects.filter(rule=rule).count() == 1
    assert not AuditEvent.objects.filter(action=AUDIT_RULE_UPDATE).exists()


def test_the_reason_is_required_and_an_unchanged_rule_is_not_revised(staff_client, rules):
    rule = rules["union-pacs"]
    response = staff_client.post(rule_url(rule.code), form_data(rule, relevance="0,5"))
    assert response.status_code == 400
    assert "Motif de la modification : Ce champ est obligatoire." in response.content.decode()
    response = staff_client.post(rule_url(rule.code), form_data(rule, comment="Rien."))
    assert response.status_code == 400
    assert "Aucune valeur n’a changé" in response.content.decode()
    assert RuleRevision.objects.filter(rule=rule).count() == 1


def test_an_unknown_rule_is_not_found(staff_client, rules):
    assert staff_client.get(rule_url("inexistante")).status_code == 404


@pytest.mark.parametrize("factory", [AgentFactory, CitizenFactory])
def test_agents_and_citizens_are_refused(client, rules, factory):
    login_verified(client, factory())
    assert client.get(LIST).status_code == 403
    rule = rules["union-pacs"]
    response = client.post(rule_url(rule.code), form_data(rule, relevance="0,1", comment="Non."))
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.relevance == 0.6


def test_anonymous_visitors_are_sent_to_sign_in(client, rules):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_rule_page_queries_do_not_grow_with_its_revisions(staff_client, staff, rules, django_assert_num_queries):
    rule = rules["union-pacs"]
    url = rule_url(rule.code)
    staff_client.get(url)
    with CaptureQueriesContext(connection) as first:
        staff_client.get(url)
    for relevance in (0.5, 0.4, 0.3):
        recommendation_rule_update(actor=staff, rule=rule, changes={"relevance": relevance}, comment="Essai.")
    with django_assert_num_queries(len(first.captured_queries)):
        response = staff_client.get(url)
    assert "Pertinence : 0,4 → 0,3" in response.content.decode()
