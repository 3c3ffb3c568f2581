"""The catalogue of 18 procedures and its loader (``manage.py catalogue_load``)."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.management import CommandError, call_command

from civiquest.accounts.models import Service, ServiceKind
from civiquest.catalogue import definitions as catalogue
from civiquest.catalogue.checks import revision_problems
from civiquest.catalogue.conditions import visibility
from civiquest.catalogue.definitions.base import ProcedureDefinition, checklist, form, info, when
from civiquest.catalogue.definitions.loader import definition_content
from civiquest.catalogue.inputs import CONDITION_OPERATORS
from civiquest.catalogue.models import (
    Field,
    FieldKind,
    Procedure,
    ProcedureLifeEvent,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
    StepKind,
    official_links_problems,
)
from civiquest.catalogue.services import procedure_close, revision_loaded
from civiquest.quests.models import QuestState
from civiquest.quests.services import answers_save, quest_start, step_complete
from civiquest.quests.transitions import quest_submit
from tests.catalogue.factories import with_wallet_documents

SLUGS = {
    "passeport",
    "carte-identite",
    "changement-adresse",
    "declaration-revenus",
    "inscription-listes-electorales",
    "recensement-citoyen",
    "acte-naissance",
    "carte-grise-changement-adresse",
    "casier-judiciaire",
    "carte-europeenne-assurance-maladie",
    "permis-conduire",
    "declaration-naissance",
    "declaration-deces",
    "inscription-france-travail",
    "demande-retraite",
    "creation-micro-entreprise",
    "bourse-etudiant",
    "pacs",
}
MODELS = (Procedure, ProcedureRevision, Step, Field, ProcedureLifeEvent, Service)


def load() -> str:
    out = io.StringIO()
    call_command("catalogue_load", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[int]]:
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def published_revision(slug: str) -> ProcedureRevision:
    return ProcedureRevision.objects.get(procedure__slug=slug, status=RevisionStatus.PUBLISHED)


def replace_definition(monkeypatch, slug: str, **changes) -> ProcedureDefinition:
    changed = [
        dataclasses.replace(definition, **changes) if definition.slug == slug else definition
        for definition in catalogue.CATALOGUE
    ]
    monkeypatch.setattr(catalogue, "CATALOGUE", tuple(changed))
    return next(definition for definition in changed if definition.slug == slug)


# --- The data ------------------------------------------------------------------------------


def test_the_catalogue_has_exactly_the_eighteen_slugs():
    assert {definition.slug for definition in catalogue.CATALOGUE} == SLUGS
    assert len(catalogue.CATALOGUE) == len(SLUGS)


@pytest.mark.parametrize("definition", catalogue.CATALOGUE, ids=lambda definition: definition.slug)
def test_every_field_and_condition_is_valid(definition):
    """Beyond ``revision_problems``: a condition names an earlier field and values it can hold."""
    assert definition.title and definition.summary and definition.life_events and definition.cost_label
    links = [{"label": label, "url": url} for label, url in definition.official_links]
    assert links and official_links_problems(links) == []
    assert any(url.startswith("https://www.service-public.fr/") for _label, url in definition.official_links) or (
        definition.slug == "permis-conduire"
    )
    seen: dict[str, dict] = {}
    step_slugs = [step["slug"] for step in definition.steps]
    assert len(set(step_slugs)) == len(step_slugs)

    def check(condition, where):
        for item in condition if isinstance(condition, list) else [condition]:
            assert item["op"] in CONDITION_OPERATORS, where
            assert item["field"] in seen, f"{where}: condition on a later or unknown field"
            target = seen[item["field"]]
            values = item["value"] if isinstance(item["value"], list) else [item["value"]]
            if target["kind"] in (FieldKind.SINGLE_CHOICE, FieldKind.MULTIPLE_CHOICE):
                offered = {choice["value"] for choice in target["choices"]}
                assert set(values) <= offered, f"{where}: {values} not among {offered}"
            elif target["kind"] == FieldKind.YES_NO:
                assert all(isinstance(value, bool) for value in values), where

    for step in definition.steps:
        if step.get("condition"):
            check(step["condition"], step["slug"])
        kind = step["kind"]
        assert bool(step.get("fields")) == (kind == StepKind.FORM), step["slug"]
        if kind == StepKind.OUTSIDE_SERVICE:
            assert step["external_url"].startswith("https://") and step["reference_pattern"]
        if kind == StepKind.AGENT_REVIEW:
            assert definition.instructing_service is not None
        for field_spec in step.get("fields", []):
            assert field_spec["name"] not in seen, f"{field_spec['name']} defined twice"
            assert field_spec["kind"] in FieldKind.values
            if field_spec.get("condition"):
                check(field_spec["condition"], field_spec["name"])
            seen[field_spec["name"]] = field_spec
    # Instructed procedures end with the service's review; guided ones send to a téléservice.
    kinds = [step["kind"] for step in definition.steps]
    if definition.instructing_service is None:
        assert StepKind.AGENT_REVIEW not in kinds and StepKind.OUTSIDE_SERVICE in kinds
    else:
        assert kinds[-1] == StepKind.AGENT_REVIEW


def test_facts_written_in_the_catalogue():
    by_slug = {definition.slug: definition for definition in catalogue.CATALOGUE}
    passport = by_slug["passeport"]
    assert passport.cost_cents == 8600
    assert "86 €" in passport.cost_label and "42 €" in passport.cost_label and "17 €" in passport.cost_label
    assert ("Passeport (service-public.fr)", "https://www.service-public.fr/particuliers/vosdroits/F21089") in (
        passport.official_links
    )
    assert by_slug["carte-identite"].cost_cents == 0 and "25 €" in by_slug["carte-identite"].cost_label
    assert by_slug["casier-judiciaire"].cost_cents == 0
    assert by_slug["acte-naissance"].cost_cents == 0
    assert by_slug["declaration-naissance"].legal_delay_days == 5


# --- Loading -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_all_eighteen_load_and_publish_without_problems():
    output = load()
    assert "18 procedures (18 created)" in output
    assert set(Procedure.objects.values_list("slug", flat=True)) == SLUGS
    for definition in catalogue.CATALOGUE:
        procedure = Procedure.objects.get(slug=definition.slug)
        assert procedure.status == ProcedureStatus.PUBLISHED
        revision = revision_loaded(published_revision(definition.slug).pk)
        assert revision.number == 1
        assert revision_problems(revision) == []
        assert revision.steps.count() == len(definition.steps)
        assert revision.completion_xp == definition.completion_xp
        assert revision.badge_codes == list(definition.badge_codes)
        assert set(procedure.life_events.values_list("code", flat=True)) == set(definition.life_events)
        assert procedure.official_links[0]["url"] == definition.official_links[0][1]
        assert procedure.is_guided == (definition.instructing_service is None)
    mairie = Service.objects.get(name="Mairie de Nouméa")
    assert mairie.kind == ServiceKind.MAIRIE
    assert set(mairie.procedures.values_list("slug", flat=True)) >= {"passeport", "carte-identite"}
    prefecture = Service.objects.get(name="Haut-commissariat de la République en Nouvelle-Calédonie")
    assert prefecture.kind == ServiceKind.PREFECTURE
    assert Procedure.objects.get(slug="declaration-revenus").instructing_service is None


@pytest.mark.django_db
def test_existing_demo_services_are_reused():
    existing = Service.objects.create(name="Mairie de Nouméa", kind=ServiceKind.MAIRIE, commune_code="98818")
    load()
    assert Service.objects.filter(name="Mairie de Nouméa").count() == 1
    assert Procedure.objects.get(slug="passeport").instructing_service == existing


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    load()
    before = snapshot()
    stamps = dict(Procedure.objects.values_list("slug", "updated_at"))
    output = load()
    assert snapshot() == before
    assert dict(Procedure.objects.values_list("slug", "updated_at")) == stamps
    assert "18 procedures (18 unchanged)" in output
    assert set(ProcedureRevision.objects.values_list("number", flat=True)) == {1}


@pytest.mark.django_db
def test_a_changed_definition_publishes_a_new_revision_and_open_quests_stay_pinned(monkeypatch, citizen):
    load()
    first = published_revision("passeport")
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))
    original = next(definition for definition in catalogue.CATALOGUE if definition.slug == "passeport")
    extra = info("nouveau", "Une nouvelle information", "Ajoutée après coup.")
    replace_definition(monkeypatch, "passeport", steps=(extra, *original.steps), completion_xp=120)

    output = load()

    assert "passeport: changed, revision 2 published" in output
    assert "17 unchanged" in output
    second = published_revision("passeport")
    assert second.number == 2 and second.completion_xp == 120
    assert second.steps.order_by("position").values_list("slug", flat=True)[0] == "nouveau"
    first.refresh_from_db()
    assert first.status == RevisionStatus.SUPERSEDED
    assert first.steps.count() == len(original.steps)
    quest.refresh_from_db()
    assert quest.revision_id == first.pk
    # The pinned quest still works on its own revision.
    situation = Step.objects.get(revision=first, slug="situation")
    assert answers_save(quest=quest, step=situation, data={"demandeur": "majeur"}).errors == {}
    # Only the changed procedure got a revision; loading again is a no-op.
    assert ProcedureRevision.objects.count() == 19
    before = snapshot()
    load()
    assert snapshot() == before


@pytest.mark.django_db
def test_a_description_change_updates_the_procedure_without_a_new_revision(monkeypatch):
    load()
    replace_definition(monkeypatch, "casier-judiciaire", title="Extrait de casier judiciaire", cost_label="0 €")
    output = load()
    assert "casier-judiciaire: description updated, revision 1 unchanged" in output
    procedure = Procedure.objects.get(slug="casier-judiciaire")
    assert procedure.title == "Extrait de casier judiciaire" and procedure.cost_label == "0 €"
    assert "extrait de casier judiciaire" in procedure.search_text
    assert procedure.revisions.count() == 1


@pytest.mark.django_db
def test_life_events_follow_the_definition(monkeypatch):
    load()
    replace_definition(monkeypatch, "acte-naissance", life_events=(catalogue.ACTE_NAISSANCE.life_events[0],))
    load()
    codes = Procedure.objects.get(slug="acte-naissance").life_events.values_list("code", flat=True)
    assert list(codes) == [catalogue.ACTE_NAISSANCE.life_events[0]]


@pytest.mark.django_db
def test_an_inconsistent_definition_is_refused_and_nothing_is_loaded(monkeypatch):
    broken = form(
        "etat",
        "État",
        [{"name": "detail", "label": "Détail", "kind": FieldKind.TEXT, "condition": when("inconnu", "eq", "x")}],
    )
    replace_definition(monkeypatch, "passeport", steps=(broken,))
    with pytest.raises(CommandError, match="passeport.*cannot be published") as error:
        load()
    assert "inconnu" in str(error.value)
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_an_inconsistent_change_keeps_the_published_revision(monkeypatch):
    load()
    before = snapshot()
    replace_definition(monkeypatch, "recensement-citoyen", steps=(checklist("vide", "Vide", []),))
    with pytest.raises(CommandError, match="recensement-citoyen"):
        load()
    assert snapshot() == before
    assert published_revision("recensement-citoyen").number == 1


@pytest.mark.django_db
def test_model_validation_errors_are_reported(monkeypatch):
    replace_definition(monkeypatch, "casier-judiciaire", official_links=(("Lien", "pas une adresse"),))
    with pytest.raises(CommandError, match="official_links"):
        load()


@pytest.mark.django_db
def test_a_closed_procedure_is_left_alone(monkeypatch):
    load()
    procedure_close(procedure=Procedure.objects.get(slug="casier-judiciaire"))
    original = catalogue.CASIER_JUDICIAIRE
    replace_definition(monkeypatch, "casier-judiciaire", completion_xp=1, title="Autre titre")
    output = load()
    assert "casier-judiciaire: closed, left alone" in output
    procedure = Procedure.objects.get(slug="casier-judiciaire")
    assert procedure.status == ProcedureStatus.CLOSED and procedure.title == original.title
    assert published_revision("casier-judiciaire").completion_xp == original.completion_xp


def test_definition_content_fills_in_model_defaults():
    content = definition_content(catalogue.PASSEPORT)
    first_field = content["steps"][1]["fields"][0]
    assert first_field["required"] is True and first_field["min_value"] is None and first_field["pattern"] == ""


# --- The catalogue is usable ---------------------------------------------------------------


def run(quest, answers: dict[str, dict]) -> None:
    """Answer, then complete every visible required step the citizen does, in order."""
    revision = revision_loaded(quest.revision_id)
    for step in revision.steps.all():
        if step.slug in answers:
            data = with_wallet_documents(quest, step, answers[step.slug])
            assert answers_save(quest=quest, step=step, data=data).errors == {}
    saved = dict(quest.answers.values_list("field_name", "value"))
    for step in visibility(revision, saved).steps:
        if step.required and step.kind != StepKind.AGENT_REVIEW:
            step_complete(quest=quest, step=step)


@pytest.mark.django_db
def test_an_adult_passport_quest_can_be_completed_up_to_submission(citizen):
    load()
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))
    run(
        quest,
        {
            "situation": {"demandeur": "majeur", "motif": "premiere"},
            "titulaire": {
                "nom": "Dubois",
                "prenoms": "Angela Claire Louise",
                "date_naissance": "1962-08-24",
                "lieu_naissance": "Nouméa",
                "adresse": "1 avenue du Maréchal Foch, 98800 Nouméa",
            },
            "pre-demande": {"pre-demande.reference": "AB12CD34EF"},
            "timbre-fiscal": {"timbre-fiscal.reference": "1234567890123456"},
            "pieces": {"pieces.id_photo": 11, "pieces.proof_of_address": 12},
            "preparer": {"preparer.checklist": ["0", "1", "2", "3", "4"]},
        },
    )
    transition = quest_submit(quest=quest, actor=citizen)
    assert transition.to_state == QuestState.SUBMITTED
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED


@pytest.mark.django_db
def test_a_minor_renewing_a_passport_sees_the_steps_for_their_case(citizen):
    load()
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))
    revision = revision_loaded(quest.revision_id)
    adult = {step.slug for step in visibility(revision, {"demandeur": "majeur", "motif": "premiere"}).steps}
    minor = {
        step.slug for step in visibility(revision, {"demandeur": "mineur_15_17", "motif": "renouvellement"}).steps
    }
    assert {"representant-legal", "identite-representant", "ancien-passeport"} <= minor - adult
    assert "perte-vol" not in minor
    assert "perte-vol" in {step.slug for step in visibility(revision, {"motif": "vol"}).steps}


@pytest.mark.django_db
def test_a_guided_quest_completes_once_done_on_the_official_site(citizen):
    load()
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="recensement-citoyen"))
    run(
        quest,
        {
            "jeune": {"nom": "Dubois", "prenoms": "Léo", "date_naissance": "2010-01-15"},
            "pieces": {"pieces.identity_card": 3, "pieces.family_record_book": 4},
            "teleservice": {"teleservice.reference": "RC-2026-0042"},
        },
    )
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED
