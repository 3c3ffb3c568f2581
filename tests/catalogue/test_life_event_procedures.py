"""The main procedures of the life events added for issue 18 (action recommendation): each loads,
is published with its life events, and cites its official source; the facts taken from the fiches."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from civiquest.catalogue import definitions as catalogue
from civiquest.catalogue.checks import revision_problems
from civiquest.catalogue.models import LifeEventCode, Procedure, ProcedureStatus, RevisionStatus, StepKind
from civiquest.catalogue.services import revision_loaded
from civiquest.quests.models import QuestState
from civiquest.quests.services import quest_start
from civiquest.quests.transitions import quest_submit
from tests.catalogue.test_catalogue import run

SERVICE_PUBLIC = "https://www.service-public.fr/particuliers/vosdroits/"
# slug -> (life events, first official link: the fiche the procedure is written from)
ADDED = {
    "declaration-deces": ({LifeEventCode.BEREAVEMENT}, f"{SERVICE_PUBLIC}F909"),
    "inscription-france-travail": ({LifeEventCode.JOB}, f"{SERVICE_PUBLIC}F1636"),
    "demande-retraite": ({LifeEventCode.RETIREMENT}, f"{SERVICE_PUBLIC}F13941"),
    # No « particuliers » fiche: the « professionnels » one (see the module's docstring).
    "creation-micro-entreprise": (
        {LifeEventCode.BUSINESS},
        "https://www.service-public.fr/professionnels-entreprises/vosdroits/F23264",
    ),
    "bourse-etudiant": ({LifeEventCode.STUDIES}, f"{SERVICE_PUBLIC}F12214"),
    "pacs": ({LifeEventCode.UNION}, f"{SERVICE_PUBLIC}F1618"),
}
BY_SLUG = {definition.slug: definition for definition in catalogue.CATALOGUE}


@pytest.fixture
def loaded(db):
    call_command("catalogue_load", stdout=io.StringIO())


@pytest.mark.parametrize("slug", sorted(ADDED))
def test_the_definition_is_in_the_catalogue_with_its_life_events_and_source(slug):
    definition = BY_SLUG[slug]
    life_events, source = ADDED[slug]
    assert set(definition.life_events) == life_events
    assert definition.official_links[0][1] == source
    assert any(step["kind"] == StepKind.INFO and step["slug"] == "a-savoir" for step in definition.steps)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(ADDED))
def test_it_loads_published_with_its_life_events(loaded, slug):
    life_events, source = ADDED[slug]
    procedure = Procedure.objects.get(slug=slug)
    assert procedure.status == ProcedureStatus.PUBLISHED
    assert set(procedure.life_events.values_list("code", flat=True)) == life_events
    assert procedure.official_links[0]["url"] == source
    revision = revision_loaded(procedure.revisions.get(status=RevisionStatus.PUBLISHED).pk)
    assert revision_problems(revision) == []
    assert revision.steps.count() == len(BY_SLUG[slug].steps)


def test_facts_from_the_fiches():
    deces = BY_SLUG["declaration-deces"]
    assert deces.instructing_service == "mairie" and deces.legal_delay_days == 1
    assert "24 heures" in deces.summary and "mairie du lieu du décès" in deces.summary
    assert "4 et 6 mois" in BY_SLUG["demande-retraite"].summary
    assert "15 janvier et le 15 mai" in BY_SLUG["bourse-etudiant"].summary
    assert BY_SLUG["bourse-etudiant"].official_links[-1][1] == "https://www.messervices.etudiant.gouv.fr"
    assert ("Guichet unique des formalités d’entreprises", "https://formalites.entreprises.gouv.fr/") in (
        BY_SLUG["creation-micro-entreprise"].official_links
    )
    pacs = BY_SLUG["pacs"]
    assert pacs.cost_cents == 0 and "230,77 €" in pacs.cost_label and "125 €" in pacs.cost_label
    # Guided procedures: done on the official site, no service instructs them.
    for slug in set(ADDED) - {"declaration-deces"}:
        assert BY_SLUG[slug].instructing_service is None, slug


@pytest.mark.django_db
def test_a_job_seeker_quest_completes_once_registered_online(loaded, citizen):
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="inscription-france-travail"))
    run(
        quest,
        {
            "situation": {"inscription": "premiere", "date_fin_contrat": "2026-01-31"},
            "pieces": {"pieces.identity_card": 1, "pieces.bank_details": 2},
            "teleservice": {"teleservice.reference": "1234567A"},
        },
    )
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED


@pytest.mark.django_db
def test_a_death_declaration_goes_to_the_mairie(loaded, citizen):
    procedure = Procedure.objects.get(slug="declaration-deces")
    assert procedure.instructing_service.name == "Mairie de Nouméa"
    quest = quest_start(citizen=citizen, procedure=procedure)
    run(
        quest,
        {
            "deces": {
                "lieu_deces": "domicile",
                "date_deces": timezone.localdate().isoformat(),
                "commune_deces": "98818",
            },
            "defunt": {
                "nom_defunt": "Dubois",
                "prenoms_defunt": "Jean",
                "date_naissance_defunt": "1940-05-02",
                "lien_declarant": "fils",
            },
            "pieces": {"pieces.identity_card": 1, "pieces.other": 2},
        },
    )
    assert quest_submit(quest=quest, actor=citizen).to_state == QuestState.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(ADDED))
def test_its_pages_show_in_the_demo(loaded, client, citizen, slug):
    """The procedure's page, and every step page of a quest started on it."""
    definition = BY_SLUG[slug]
    page = client.get(reverse("citizen:procedure", args=[slug]))
    assert page.status_code == 200 and definition.title in page.content.decode()
    client.force_login(citizen)
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug=slug))
    assert client.get(reverse("citizen:quest", args=[quest.pk])).status_code == 200
    for step in definition.steps:
        if step.get("condition"):
            continue
        response = client.get(reverse("citizen:quest-step", args=[quest.pk, step["slug"]]))
        assert response.status_code == 200, step["slug"]
