"""The citizen's procedure pages: catalogue, procedure, start, steps, review, submission, "Mes démarches"."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from civiquest.catalogue.models import LifeEventCode, Step, StepKind, Theme
from civiquest.catalogue.services import procedure_life_events_set
from civiquest.documents.models import DocumentType
from civiquest.quests.models import Answer, Quest, QuestState, QuestTransition, StepProgress
from civiquest.quests.services import answers_save, quest_start, step_complete
from tests.accounts.factories import AgentFactory, CitizenFactory
from tests.catalogue.factories import (
    GUIDED_STEPS,
    INSTRUCTED_ANSWERS,
    INSTRUCTED_STEPS,
    DocumentFactory,
    ProcedureFactory,
    ServiceFactory,
    published,
    with_wallet_documents,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mairie(db):
    return ServiceFactory(name="Mairie de Nouméa")


@pytest.fixture
def passport(mairie):
    procedure, _revision = published(
        INSTRUCTED_STEPS,
        service=mairie,
        slug="passeport",
        title="Passeport",
        summary="Demander ou renouveler un passeport.",
        keywords="voyage étranger",
        cost_label="86 € en timbre fiscal",
        official_links=[{"label": "Passeport (service-public.fr)", "url": "https://www.service-public.fr/F21089"}],
    )
    procedure_life_events_set(procedure=procedure, codes=[LifeEventCode.TRAVEL])
    return procedure


@pytest.fixture
def moving(db):
    procedure, _revision = published(
        GUIDED_STEPS,
        slug="changement-adresse",
        title="Changement d’adresse",
        summary="Prévenir les administrations de votre déménagement.",
        theme=Theme.HOUSING,
    )
    procedure_life_events_set(procedure=procedure, codes=[LifeEventCode.MOVING])
    return procedure


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


def step_of(quest, slug):
    return Step.objects.get(revision=quest.revision, slug=slug)


def step_url(quest, slug):
    return reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": slug})


def fill(quest):
    """Answer and complete every required step a citizen does on a first passport request."""
    for current in quest.revision.steps.order_by("position"):
        if current.slug in INSTRUCTED_ANSWERS:
            data = with_wallet_documents(quest, current, INSTRUCTED_ANSWERS[current.slug])
            assert answers_save(quest=quest, step=current, data=data).errors == {}
        if current.kind != StepKind.AGENT_REVIEW and current.required and current.slug != "perte":
            step_complete(quest=quest, step=current)
    return quest


# --- Catalogue and procedure page -------------------------------------------------------------


def test_catalogue_lists_published_procedures_only(client, passport, moving):
    ProcedureFactory(title="Brouillon caché")
    response = client.get(reverse("citizen:catalogue"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Passeport" in content and "Changement d’adresse" in content
    assert "Brouillon caché" not in content
    assert reverse("citizen:procedure", kwargs={"slug": "passeport"}) in content


def test_catalogue_search_ignores_accents_and_case(client, passport, moving):
    content = client.get(reverse("citizen:catalogue"), {"q": "ETRANGER"}).content.decode()
    assert "Passeport" in content and "Changement d’adresse" not in content
    # What was searched stays in the box.
    assert 'value="ETRANGER"' in content


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"theme": Theme.HOUSING}, "Changement d’adresse", "Passeport"),
        ({"life_event": LifeEventCode.TRAVEL}, "Passeport", "Changement d’adresse"),
    ],
)
def test_catalogue_filters_by_theme_and_life_event(client, passport, moving, params, shown, hidden):
    content = client.get(reverse("citizen:catalogue"), params).content.decode()
    assert shown in content and hidden not in content


def test_catalogue_says_when_nothing_matches(client, passport):
    content = client.get(reverse("citizen:catalogue"), {"q": "introuvable"}).content.decode()
    assert "Aucune démarche ne correspond à votre recherche" in content


def test_catalogue_ignores_an_unknown_filter_value(client, passport):
    response = client.get(reverse("citizen:catalogue"), {"theme": "n-importe-quoi"})
    assert response.status_code == 200 and "Passeport" in response.content.decode()


def test_procedure_page_says_what_how_long_what_cost_and_who(client, passport):
    response = client.get(reverse("citizen:procedure", kwargs={"slug": "passeport"}))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Photo d’identité" in content and "Justificatif de domicile" in content
    assert "86 € en timbre fiscal" in content
    assert "Mairie de Nouméa" in content
    assert "https://www.service-public.fr/F21089" in content
    # Anonymous visitors are invited to sign in with FranceConnect, and come back here.
    assert reverse("oidc:franceconnect") + "?next=%2Fdemarches%2Fpasseport%2F" in content
    assert reverse("citizen:quest-start", kwargs={"slug": "passeport"}) not in content


def test_procedure_page_of_a_guided_procedure(citizen_client, moving):
    content = citizen_client.get(reverse("citizen:procedure", kwargs={"slug": moving.slug})).content.decode()
    assert "Démarche guidée, réalisée sur le site officiel" in content
    assert "Gratuit" in content
    assert reverse("citizen:quest-start", kwargs={"slug": moving.slug}) in content


def test_unpublished_or_unknown_procedure_is_404(client, db):
    ProcedureFactory(slug="brouillon")
    assert client.get(reverse("citizen:procedure", kwargs={"slug": "brouillon"})).status_code == 404
    assert client.get(reverse("citizen:procedure", kwargs={"slug": "inconnue"})).status_code == 404


# --- Start ----------------------------------------------------------------------------------------


def test_start_opens_a_quest_and_goes_to_its_first_step(citizen_client, citizen, passport):
    response = citizen_client.post(reverse("citizen:quest-start", kwargs={"slug": "passeport"}))
    quest = Quest.objects.get(citizen=citizen)
    assert response.status_code == 302
    assert response.url == step_url(quest, "avant-de-commencer")
    assert quest.state == QuestState.DRAFT


def test_start_is_post_only(citizen_client, passport):
    assert citizen_client.get(reverse("citizen:quest-start", kwargs={"slug": "passeport"})).status_code == 405


def test_anonymous_is_sent_to_sign_in(client, passport):
    response = client.post(reverse("citizen:quest-start", kwargs={"slug": "passeport"}))
    assert response.status_code == 302 and response.url.startswith(reverse("oidc:franceconnect"))
    assert not Quest.objects.exists()
    for name in ("citizen:quests",):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("oidc:franceconnect"))


def test_an_agent_cannot_start_a_quest(client, passport):
    client.force_login(AgentFactory())
    assert client.post(reverse("citizen:quest-start", kwargs={"slug": "passeport"})).status_code == 403


# --- Steps ----------------------------------------------------------------------------------------


@pytest.fixture
def quest(citizen, passport):
    return quest_start(citizen=citizen, procedure=passport)


def test_step_page_shows_the_stepper_and_the_fields(citizen_client, quest):
    response = citizen_client.get(step_url(quest, "identite"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "fr-stepper" in content
    # First request: the "perte" step is hidden; the agent's step counts in the stepper.
    assert "Étape 2 sur 6" in content
    assert "Étape suivante :" in content and "Pré-demande en ligne" in content
    assert 'name="nom"' in content and 'type="date"' in content and 'name="premiere_demande"' in content
    # The field shown only on a renewal is not there yet.
    assert 'name="ancien_numero"' not in content
    assert 'hx-post="' + step_url(quest, "identite") + '"' in content and 'hx-trigger="change"' in content
    assert 'aria-live="polite"' in content


def test_plain_post_saves_completes_and_goes_to_the_next_visible_step(citizen_client, quest):
    data = {"nom": "Martin", "naissance": "1990-05-17", "premiere_demande": "oui", "action": "continue"}
    response = citizen_client.post(step_url(quest, "identite"), data)
    assert response.status_code == 302
    # "perte" is hidden for a first request: straight to the outside service.
    assert response.url == step_url(quest, "pre-demande")
    assert dict(Answer.objects.filter(quest=quest).values_list("field_name", "value")) == {
        "nom": "Martin",
        "naissance": "1990-05-17",
        "premiere_demande": True,
    }
    assert StepProgress.objects.get(quest=quest, step=step_of(quest, "identite")).done_at is not None


def test_plain_post_to_save_a_draft_stays_on_the_step(citizen_client, quest):
    response = citizen_client.post(step_url(quest, "identite"), {"nom": "Martin", "action": "save"}, follow=True)
    assert response.redirect_chain[-1][0] == step_url(quest, "identite")
    assert "Votre brouillon est enregistré." in response.content.decode()
    assert 'value="Martin"' in response.content.decode()
    assert not StepProgress.objects.filter(quest=quest, done_at__isnull=False).exists()


def test_errors_name_the_field_and_keep_what_was_typed(citizen_client, quest):
    data = {"nom": "Martin", "naissance": "pas une date", "premiere_demande": "oui", "action": "continue"}
    response = citizen_client.post(step_url(quest, "identite"), data)
    content = response.content.decode()
    assert response.status_code == 400
    assert "« Date de naissance » doit être une date au format JJ/MM/AAAA." in content
    assert 'value="pas une date"' in content and 'value="Martin"' in content
    assert 'aria-invalid="true"' in content
    # The valid answers are kept as a draft; the step is not done.
    assert Answer.objects.get(quest=quest, field_name="nom").value == "Martin"
    assert not StepProgress.objects.filter(quest=quest, done_at__isnull=False).exists()


def test_a_missing_required_answer_is_named_on_continue(citizen_client, quest):
    response = citizen_client.post(step_url(quest, "identite"), {"nom": "Martin", "action": "continue"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "« Date de naissance » est obligatoire." in content
    assert 'value="Martin"' in content


def test_htmx_change_saves_a_draft_and_answers_a_status_fragment(citizen_client, quest):
    response = citizen_client.post(step_url(quest, "identite"), {"nom": "Martin"}, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    # The header is what lets the page say "saved" (autosave.js): a sign-in page never carries it.
    assert response["X-Autosave"] == "saved"
    assert re.search(r"Brouillon enregistré à \d\d:\d\d\.", content)
    assert "<html" not in content
    assert Answer.objects.get(quest=quest, field_name="nom").value == "Martin"
    # A draft save never completes the step.
    assert not StepProgress.objects.filter(quest=quest, done_at__isnull=False).exists()


def test_htmx_save_reports_an_invalid_answer_by_its_label(citizen_client, quest):
    response = citizen_client.post(step_url(quest, "identite"), {"nom": "Martin", "naissance": "32/13/1990"}, **HTMX)
    content = response.content.decode()
    assert "« Date de naissance » doit être une date au format JJ/MM/AAAA." in content
    assert Answer.objects.get(quest=quest, field_name="nom").value == "Martin"
    assert not Answer.objects.filter(quest=quest, field_name="naissance").exists()


def test_conditional_field_appears_and_disappears(citizen_client, quest):
    url = step_url(quest, "identite")
    # A renewal: the former passport number is asked, sent out of band with the fields.
    response = citizen_client.post(url, {"nom": "Martin", "premiere_demande": "non"}, **HTMX)
    content = response.content.decode()
    assert 'hx-swap-oob="true"' in content and 'name="ancien_numero"' in content
    assert 'name="ancien_numero"' in citizen_client.get(url).content.decode()
    # And the "perte" step is now part of the quest.
    assert citizen_client.get(step_url(quest, "perte")).status_code == 200
    # A first request again: the field and the step go away.
    response = citizen_client.post(url, {"nom": "Martin", "premiere_demande": "oui"}, **HTMX)
    assert 'hx-swap-oob="true"' in response.content.decode()
    assert 'name="ancien_numero"' not in response.content.decode()
    assert 'name="ancien_numero"' not in citizen_client.get(url).content.decode()
    assert citizen_client.get(step_url(quest, "perte")).status_code == 404


def test_htmx_answers_only_the_status_when_the_fields_did_not_change(citizen_client, quest):
    response = citizen_client.post(step_url(quest, "identite"), {"nom": "Martin"}, **HTMX)
    assert "hx-swap-oob" not in response.content.decode()


def test_outside_service_step_links_out_in_a_new_window_and_asks_the_reference(citizen_client, quest):
    content = citizen_client.get(step_url(quest, "pre-demande")).content.decode()
    assert 'href="https://passeport.ants.gouv.fr/' in content and 'target="_blank"' in content
    assert "nouvelle fenêtre" in content
    assert 'name="pre-demande.reference"' in content and "Numéro de pré-demande" in content
    response = citizen_client.post(
        step_url(quest, "pre-demande"), {"pre-demande.reference": "trop court", "action": "continue"}
    )
    assert response.status_code == 400 and "Numéro de pré-demande" in response.content.decode()


def test_documents_and_checklist_steps_render_their_inputs(citizen_client, quest):
    photo = DocumentFactory(owner=quest.citizen, type=DocumentType.ID_PHOTO, title="Photo de mars")
    DocumentFactory(owner=quest.citizen, type=DocumentType.PROOF_OF_ADDRESS, title="Facture EDF")
    DocumentFactory(title="Photo d’un autre usager", type=DocumentType.ID_PHOTO)
    content = citizen_client.get(step_url(quest, "pieces")).content.decode()
    assert 'name="pieces.id_photo"' in content and 'name="pieces.proof_of_address"' in content
    assert f'value="{photo.pk}"' in content and "Photo de mars" in content and "Facture EDF" in content
    assert "Photo d’un autre usager" not in content
    content = citizen_client.get(step_url(quest, "preparer")).content.decode()
    assert 'type="checkbox"' in content and "Timbre fiscal acheté" in content
    response = citizen_client.post(step_url(quest, "preparer"), {"preparer.checklist": ["0"], "action": "save"})
    assert response.status_code == 302
    assert Answer.objects.get(quest=quest, field_name="preparer.checklist").value == ["0"]
    # Unticking everything clears the answer (unticked boxes are not posted).
    citizen_client.post(step_url(quest, "preparer"), {"action": "save"})
    assert not Answer.objects.filter(quest=quest, field_name="preparer.checklist").exists()


def test_agent_review_step_explains_and_has_no_form(citizen_client, quest):
    content = citizen_client.get(step_url(quest, "instruction")).content.decode()
    assert "réalisée par le service instructeur" in content
    assert "Enregistrer et continuer" not in content


def test_info_step_continues_to_the_next_step(citizen_client, quest):
    response = citizen_client.post(step_url(quest, "avant-de-commencer"), {"action": "continue"})
    assert response.url == step_url(quest, "identite")


def test_guided_quest_completes_on_its_last_required_step(citizen_client, citizen, moving):
    guided = quest_start(citizen=citizen, procedure=moving)
    citizen_client.post(step_url(guided, "a-savoir"), {"action": "continue"})
    citizen_client.post(step_url(guided, "situation"), {"nouvelle_commune": "75056", "action": "continue"})
    response = citizen_client.post(
        step_url(guided, "teleservice"), {"teleservice.reference": "12345678", "action": "continue"}
    )
    assert response.url == reverse("citizen:quest", kwargs={"quest_id": guided.pk})
    guided.refresh_from_db()
    assert guided.state == QuestState.COMPLETED


def test_a_submitted_quest_is_read_only(citizen_client, quest, citizen):
    fill(quest)
    citizen_client.post(reverse("citizen:quest-submit", kwargs={"quest_id": quest.pk}))
    content = citizen_client.get(step_url(quest, "identite")).content.decode()
    # No step form (the assistant's panel is the only form left on the page).
    assert f'action="{step_url(quest, "identite")}"' not in content and 'name="nom"' not in content
    assert "Martin" in content
    response = citizen_client.post(step_url(quest, "identite"), {"nom": "Autre", "action": "save"})
    assert response.status_code == 302
    assert Answer.objects.get(quest=quest, field_name="nom").value == "Martin"


def test_unknown_step_is_404(citizen_client, quest):
    assert citizen_client.get(step_url(quest, "inconnue")).status_code == 404


# --- Quest page, review, submit ------------------------------------------------------------------


def test_quest_page_shows_stepper_steps_next_action_and_timeline(citizen_client, quest):
    content = citizen_client.get(reverse("citizen:quest", kwargs={"quest_id": quest.pk})).content.decode()
    assert "fr-stepper" in content and "Étape 1 sur 6" in content
    assert quest.reference in content
    assert "Continuer : Avant de commencer" in content
    assert "Instruction en mairie" in content and "Par le service" in content
    assert "Historique" in content and "Dossier commencé" in content


def test_review_lists_answers_with_modify_links_and_what_is_missing(citizen_client, quest):
    answers_save(quest=quest, step=step_of(quest, "identite"), data={"nom": "Martin", "premiere_demande": "oui"})
    content = citizen_client.get(reverse("citizen:quest-review", kwargs={"quest_id": quest.pk})).content.decode()
    assert "Martin" in content and "Oui" in content
    assert step_url(quest, "identite") in content and "Modifier" in content
    assert "Votre dossier n’est pas encore complet" in content
    assert "« Date de naissance » est obligatoire." in content


def test_submitting_an_incomplete_quest_gives_a_clear_error(citizen_client, quest):
    response = citizen_client.post(reverse("citizen:quest-submit", kwargs={"quest_id": quest.pk}), follow=True)
    assert "Le dossier n’est pas complet" in response.content.decode()
    quest.refresh_from_db()
    assert quest.state == QuestState.DRAFT


def test_submit_then_double_submit_makes_one_transition(citizen_client, quest):
    fill(quest)
    url = reverse("citizen:quest-submit", kwargs={"quest_id": quest.pk})
    response = citizen_client.post(url, follow=True)
    assert "Votre dossier est déposé." in response.content.decode()
    citizen_client.post(url)
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED
    assert QuestTransition.objects.filter(quest=quest, to_state=QuestState.SUBMITTED).count() == 1
    content = citizen_client.get(reverse("citizen:quest", kwargs={"quest_id": quest.pk})).content.decode()
    assert "le service instruit votre dossier" in content


def test_submit_is_post_only(citizen_client, quest):
    assert citizen_client.get(reverse("citizen:quest-submit", kwargs={"quest_id": quest.pk})).status_code == 405


# --- Another citizen ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("citizen:quest", "get", {}),
        ("citizen:quest-step", "get", {"step_slug": "identite"}),
        ("citizen:quest-step", "post", {"step_slug": "identite"}),
        ("citizen:quest-review", "get", {}),
        ("citizen:quest-submit", "post", {}),
    ],
)
def test_another_citizen_gets_404(client, quest, name, method, extra):
    client.force_login(CitizenFactory())
    response = getattr(client, method)(reverse(name, kwargs={"quest_id": quest.pk, **extra}), {"nom": "Pirate"})
    assert response.status_code == 404
    assert not Answer.objects.filter(quest=quest).exists()
    quest.refresh_from_db()
    assert quest.state == QuestState.DRAFT


@pytest.mark.parametrize("name", ["citizen:quest", "citizen:quest-review"])
def test_anonymous_is_redirected_to_sign_in_from_a_quest(client, quest, name):
    response = client.get(reverse(name, kwargs={"quest_id": quest.pk}))
    assert response.status_code == 302 and response.url.startswith(reverse("oidc:franceconnect"))


# --- Mes démarches and query counts -----------------------------------------------------------------


def test_mes_demarches_groups_quests_by_state_with_what_to_do_next(citizen_client, citizen, passport, moving):
    draft = quest_start(citizen=citizen, procedure=passport)
    submitted = fill(quest_start(citizen=citizen, procedure=passport))
    citizen_client.post(reverse("citizen:quest-submit", kwargs={"quest_id": submitted.pk}))
    content = citizen_client.get(reverse("citizen:quests")).content.decode()
    assert content.index("À compléter") < content.index("En cours de traitement")
    assert "À faire : Avant de commencer" in content
    assert "rien à faire pour l’instant" in content
    assert reverse("citizen:quest", kwargs={"quest_id": draft.pk}) in content
    assert reverse("citizen:quest", kwargs={"quest_id": submitted.pk}) in content


def test_mes_demarches_when_empty(citizen_client):
    content = citizen_client.get(reverse("citizen:quests")).content.decode()
    assert "Vous n’avez commencé aucune démarche." in content


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_mes_demarches_runs_a_bounded_number_of_queries(
    citizen_client, citizen, passport, count, django_assert_max_num_queries
):
    for _index in range(count):
        fill(quest_start(citizen=citizen, procedure=passport))
    _queries(citizen_client, reverse("citizen:quests"), django_assert_max_num_queries, 8)


@pytest.mark.parametrize("count", [1, 10])
def test_quest_page_runs_a_bounded_number_of_queries(
    citizen_client, citizen, mairie, count, django_assert_max_num_queries
):
    steps = [{"slug": f"info-{index}", "title": f"Info {index}", "kind": StepKind.INFO} for index in range(count)]
    steps.append({"slug": "identite", **{k: v for k, v in INSTRUCTED_STEPS[1].items() if k != "slug"}})
    procedure, _revision = published(steps, service=mairie)
    quest = quest_start(citizen=citizen, procedure=procedure)
    for step in Step.objects.filter(revision=quest.revision, kind=StepKind.INFO):
        step_complete(quest=quest, step=step)
    for url in (
        reverse("citizen:quest", kwargs={"quest_id": quest.pk}),
        reverse("citizen:quest-review", kwargs={"quest_id": quest.pk}),
        step_url(quest, "identite"),
    ):
        # 10 for the page, the step's entraide questions (one), and the layout's two reads: "mode sobre",
        # the unread count (a cold cache here).
        _queries(citizen_client, url, django_assert_max_num_queries, 13)


# --- Documents from the wallet -------------------------------------------------------------------


def test_a_documents_step_offers_the_wallet_documents_of_the_right_type(citizen_client, quest):
    photo = DocumentFactory(owner=quest.citizen, type=DocumentType.ID_PHOTO, title="Photo de mars")
    spare = DocumentFactory(owner=quest.citizen, type=DocumentType.OTHER, title="Scan divers")
    DocumentFactory(owner=quest.citizen, type=DocumentType.TAX_NOTICE, title="Avis d’impôt 2026")
    content = citizen_client.get(step_url(quest, "pieces")).content.decode()
    id_photo_part = content.split('name="pieces.proof_of_address"')[0]
    assert "Photo de mars" in id_photo_part and "Scan divers" in id_photo_part
    assert "Avis d’impôt 2026" not in content
    upload = reverse("citizen:document-upload") + "?next=" + step_url(quest, "pieces").replace("/", "%2F")
    assert upload in content
    response = citizen_client.post(
        step_url(quest, "pieces"),
        {"pieces.id_photo": str(photo.pk), "pieces.proof_of_address": str(spare.pk), "action": "continue"},
    )
    assert response.status_code == 302
    assert set(quest.documents.values_list("document", flat=True)) == {photo.pk, spare.pk}
    review = citizen_client.get(reverse("citizen:quest-review", args=[quest.pk])).content.decode()
    assert "Photo de mars" in review and "Scan divers" in review


def test_a_forged_document_choice_is_refused_and_keeps_the_other_answers(citizen_client, quest):
    photo = DocumentFactory(owner=quest.citizen, type=DocumentType.ID_PHOTO)
    stranger = DocumentFactory(type=DocumentType.PROOF_OF_ADDRESS)
    response = citizen_client.post(
        step_url(quest, "pieces"),
        {"pieces.id_photo": str(photo.pk), "pieces.proof_of_address": str(stranger.pk), "action": "continue"},
    )
    assert response.status_code == 400
    assert "choisissez un document de votre porte-documents" in response.content.decode()
    assert list(quest.documents.values_list("document", flat=True)) == [photo.pk]


def test_uploading_from_a_step_comes_back_to_the_step(citizen_client, quest):
    target = step_url(quest, "pieces")
    page = citizen_client.get(reverse("citizen:document-upload") + "?next=" + target).content.decode()
    assert f'name="next" value="{target}"' in page
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    upload = SimpleUploadedFile("photo.png", png.getvalue(), content_type="image/png")
    response = citizen_client.post(
        reverse("citizen:document-upload"),
        {"next": target, "type": DocumentType.ID_PHOTO, "title": "Photo récente", "file": upload},
    )
    assert response.status_code == 302 and response["Location"] == target
    assert "Photo récente" in citizen_client.get(target).content.decode()


def test_the_upload_never_sends_elsewhere(citizen_client):
    page = citizen_client.get(reverse("citizen:document-upload") + "?next=https://evil.example/").content.decode()
    upload_form = page.split('enctype="multipart/form-data"')[1].split("</form>")[0]
    assert "evil.example" not in upload_form


# --- Resuming and paging -------------------------------------------------------------------------


def test_the_procedure_page_offers_to_resume_an_open_quest(citizen_client, citizen, passport):
    page = citizen_client.get(reverse("citizen:procedure", args=[passport.slug])).content.decode()
    assert "Reprendre mon dossier" not in page and ">Commencer<" in page
    quest = quest_start(citizen=citizen, procedure=passport)
    page = citizen_client.get(reverse("citizen:procedure", args=[passport.slug])).content.decode()
    assert "Reprendre mon dossier" in page and quest.reference in page
    assert step_url(quest, quest.current_step.slug) in page
    assert "Commencer un autre dossier" in page
    other = CitizenFactory()
    citizen_client.force_login(other)
    page = citizen_client.get(reverse("citizen:procedure", args=[passport.slug])).content.decode()
    assert "Reprendre mon dossier" not in page


def test_the_catalogue_is_paged_and_keeps_the_filters(client, db):
    from civiquest.www.citizen.catalogue_views import CATALOGUE_PAGE_SIZE

    for number in range(CATALOGUE_PAGE_SIZE + 2):
        published(GUIDED_STEPS, slug=f"demarche-{number:02d}", title=f"Démarche {number:02d}")
    first = client.get(reverse("citizen:catalogue"), {"q": "demarche"}).content.decode()
    assert first.count('class="fr-card fr-enlarge-link"') == CATALOGUE_PAGE_SIZE
    assert "?q=demarche&amp;page=2" in first
    second = client.get(reverse("citizen:catalogue"), {"q": "demarche", "page": 2}).content.decode()
    assert second.count('class="fr-card fr-enlarge-link"') == 2
    assert client.get(reverse("citizen:catalogue"), {"page": "n’importe quoi"}).status_code == 200


# --- The catalogue's cached listing -----------------------------------------------------------


def test_the_catalogue_listing_is_rendered_once_then_served_from_the_cache(client, passport, moving):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert "Passeport" in client.get(reverse("citizen:catalogue")).content.decode()
    with CaptureQueriesContext(connection) as again:
        page = client.get(reverse("citizen:catalogue")).content.decode()
    assert "Passeport" in page and "Changement d’adresse" in page
    # Served from the cache with no query at all (not even the paginator's count).
    assert len(again.captured_queries) == 0 < len(first.captured_queries)


@pytest.mark.parametrize("change", ["publish", "rename-service", "life-event", "close"])
def test_a_change_to_the_catalogue_shows_on_the_next_request(client, passport, moving, mairie, change):
    url = reverse("citizen:catalogue")
    client.get(url)
    client.get(url, {"life_event": LifeEventCode.TRAVEL})
    if change == "publish":
        published(GUIDED_STEPS, slug="recensement", title="Recensement citoyen")
        assert "Recensement citoyen" in client.get(url).content.decode()
    elif change == "rename-service":
        mairie.name = "Mairie de Dumbéa"
        mairie.save()
        assert "Mairie de Dumbéa" in client.get(url).content.decode()
    elif change == "life-event":
        procedure_life_events_set(procedure=moving, codes=[LifeEventCode.TRAVEL])
        assert "Changement d’adresse" in client.get(url, {"life_event": LifeEventCode.TRAVEL}).content.decode()
    else:
        passport.status = "closed"
        passport.save()
        assert "Passeport" not in client.get(url).content.decode()


def test_the_cached_listing_is_kept_per_language_and_a_search_is_never_cached(client, passport, moving):
    from django.conf import settings

    url = reverse("citizen:catalogue")
    assert "Tous les thèmes" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "All themes" in client.get(url).content.decode()
    # A search (free text, unbounded) is rendered each time: its procedures are read again.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, {"q": "passeport"})
    with CaptureQueriesContext(connection) as again:
        assert "Passeport" in client.get(url, {"q": "passeport"}).content.decode()
    assert len(again.captured_queries) > 1
