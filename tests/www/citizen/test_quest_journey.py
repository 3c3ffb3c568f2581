"""One journey on every page: the stages of the stepper (8 at most), counted the same way wherever a quest's
progress shows; and a quest's ending, once it is out of the citizen's hands."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from civiquest.actions.catalogue import catalogue_load
from civiquest.actions.quests import quest_step_complete
from civiquest.catalogue.definitions.passeport import PASSEPORT
from civiquest.catalogue.models import Procedure, StepKind
from civiquest.catalogue.services import revision_loaded
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.services import answers_save, quest_start
from tests.catalogue.factories import GUIDED_STEPS, INSTRUCTED_STEPS, ServiceFactory, published
from tests.quests.fixtures import fill

pytestmark = pytest.mark.django_db

JOURNEY = re.compile(r'data-journey="(\d+)/(\d+)"')


def text(html: str) -> str:
    return " ".join(html.split())


def steps_by_slug(quest: Quest) -> dict:
    return {step.slug: step for step in revision_loaded(quest.revision_id).steps.all()}


@pytest.fixture
def passport_quest(citizen):
    """The catalogue's passport, a renewal for an adult: its first two steps done."""
    catalogue_load([PASSEPORT])
    quest = quest_start(citizen=citizen, procedure=Procedure.objects.get(slug=PASSEPORT.slug))
    steps = steps_by_slug(quest)
    quest_step_complete(quest=quest, step=steps["avant-de-commencer"])
    saved = answers_save(quest=quest, step=steps["situation"], data={"demandeur": "majeur", "motif": "renouvellement"})
    assert saved.errors == {}
    quest_step_complete(quest=quest, step=steps["situation"])
    quest.refresh_from_db()
    assert quest.current_step.slug == "titulaire"
    return quest


def step_url(quest: Quest, slug: str) -> str:
    return reverse("citizen:quest-step", kwargs={"quest_id": quest.pk, "step_slug": slug})


def test_the_passport_shows_the_same_stage_on_every_page(client, citizen, passport_quest):
    client.force_login(citizen)
    quest = passport_quest
    pages = {
        "quest": reverse("citizen:quest", kwargs={"quest_id": quest.pk}),
        "step": step_url(quest, "titulaire"),
        "quests": reverse("citizen:quests"),
        "dashboard": reverse("citizen:dashboard"),
        "review": reverse("citizen:quest-review", kwargs={"quest_id": quest.pk}),
    }
    seen = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        seen[name] = text(response.content.decode())
        # Thirteen steps, ten of them visible for an adult's renewal: six stages, the second one.
        assert set(JOURNEY.findall(seen[name])) == {("2", "6")}, name
    for name in ("quests", "dashboard", "review"):
        assert "Étape 2 sur 6 : Vos informations" in seen[name], name
    for name in ("quest", "step"):
        stepper = seen[name].split('class="fr-stepper"')[1].split("</div> </div>")[0]
        assert "Étape 2 sur 6 </span> Vos informations" in stepper
        assert 'data-fr-current-step="2" data-fr-steps="6"' in stepper
        # The stage has one visible step here (the minor's and the loss steps are hidden): its title.
        assert '<p class="fr-stepper__details fr-mb-1v">Le titulaire du passeport</p>' in stepper
        assert "Étape suivante :</span> Pré-demande et timbre fiscal" in stepper


def test_a_step_within_a_stage_is_a_sub_step(client, citizen, passport_quest):
    client.force_login(citizen)
    first = text(client.get(step_url(passport_quest, "pieces")).content.decode())
    assert "Étape 4 sur 6 </span> Pièces justificatives" in first
    assert "Sous-étape 1 sur 2 : Vos pièces justificatives" in first
    second = text(client.get(step_url(passport_quest, "ancien-passeport")).content.decode())
    assert "Sous-étape 2 sur 2 : Votre ancien passeport" in second
    assert "Étape suivante :</span> Rendez-vous en mairie" in second


def test_the_quest_page_lists_the_visible_steps_under_their_stages(client, citizen, passport_quest):
    client.force_login(citizen)
    page = text(client.get(reverse("citizen:quest", kwargs={"quest_id": passport_quest.pk})).content.decode())
    listing = page.split("Les étapes</h2>")[1]
    headings = re.findall(r'<h3 class="fr-h6 fr-mb-1w"> (.*?) </h3>', listing)
    assert headings == [
        "Étape 1 sur 6 : Votre situation",
        "Étape 2 sur 6 : Vos informations",
        "Étape 3 sur 6 : Pré-demande et timbre fiscal",
        "Étape 4 sur 6 : Pièces justificatives",
        "Étape 5 sur 6 : Rendez-vous en mairie",
        "Étape 6 sur 6 : Instruction",
    ]
    pieces = listing.split("Pièces justificatives </h3>")[1].split("</h3>")[0]
    assert step_url(passport_quest, "pieces") in pieces and step_url(passport_quest, "ancien-passeport") in pieces
    # Steps hidden by the answers are not listed (a minor's parent, a loss or theft).
    assert step_url(passport_quest, "representant-legal") not in page
    assert step_url(passport_quest, "perte-vol") not in page


def test_a_long_revision_without_stages_is_grouped_so_the_stepper_keeps_eight_steps_at_most(client, citizen):
    procedure, _revision = published(
        [{"slug": f"info-{number}", "title": f"Info {number}", "kind": StepKind.INFO} for number in range(1, 14)]
    )
    quest = quest_start(citizen=citizen, procedure=procedure)
    steps = steps_by_slug(quest)
    for number in (1, 2, 3):
        quest_step_complete(quest=quest, step=steps[f"info-{number}"])
    client.force_login(citizen)
    page = text(client.get(reverse("citizen:quest", kwargs={"quest_id": quest.pk})).content.decode())
    # Thirteen steps in seven stages of two (one for the last); the fourth step is the second of the second stage.
    assert 'data-fr-current-step="2" data-fr-steps="7"' in page
    assert "Étape 2 sur 7 </span> Info 3" in page
    assert "Sous-étape 2 sur 2 : Info 4" in page
    listing = text(client.get(reverse("citizen:quests")).content.decode())
    assert "Étape 2 sur 7 : Info 3" in listing


# --- Endings ---------------------------------------------------------------------------------------


@pytest.fixture
def instructed_passport(db):
    """The passport as a service instructs it, with a legal delay and the service's step described."""
    service = ServiceFactory(name="Mairie de Nouméa")
    steps = [
        *INSTRUCTED_STEPS[:-1],
        {
            "slug": "instruction",
            "title": "Instruction en mairie",
            "kind": StepKind.AGENT_REVIEW,
            "body": "La mairie vérifie votre dossier et le transmet pour fabrication.",
        },
    ]
    procedure, _revision = published(steps, service=service, slug="passeport", title="Passeport", legal_delay_days=60)
    return procedure


def test_the_passport_ends_saying_what_was_sent_to_whom_what_comes_next_and_by_when(
    client, citizen, instructed_passport
):
    quest = fill(quest_start(citizen=citizen, procedure=instructed_passport))
    client.force_login(citizen)
    url = reverse("citizen:quest", kwargs={"quest_id": quest.pk})
    assert "data-ending" not in client.get(url).content.decode()  # still the citizen's to fill
    response = client.post(reverse("citizen:quest-submit", kwargs={"quest_id": quest.pk}))
    assert response.status_code == 302 and response["Location"] == url
    quest.refresh_from_db()
    assert quest.state == QuestState.SUBMITTED
    page = text(client.get(url).content.decode())
    ending = page.split("data-ending>")[1].split("</div>")[0]
    today = formats.date_format(timezone.localdate(), "j F Y")
    due = formats.date_format(timezone.localtime(quest.deadline_at).date(), "j F Y")
    assert timezone.localtime(quest.deadline_at).date() == timezone.localdate() + dt.timedelta(days=60)
    assert "Votre dossier est déposé</h2>" in ending
    assert f"Vous avez déposé votre dossier n° {quest.reference} le {today}." in ending
    assert "Votre dossier a été transmis à Mairie de Nouméa, qui l’instruit." in ending
    assert "Numéro de pré-demande : <strong>AB12CD34EF</strong>" in ending
    assert "La mairie vérifie votre dossier et le transmet pour fabrication." in ending
    assert f"Le service doit vous répondre au plus tard le {due}." in ending
    # The optional checklist left undone is offered, not required.
    assert step_url(quest, "preparer") in ending
    # The stepper is at the service's stage.
    assert "Étape 6 sur 6 </span> Instruction en mairie" in page


def test_without_a_legal_delay_the_ending_says_none_is_set(client, citizen, instructed_passport):
    Procedure.objects.filter(pk=instructed_passport.pk).update(legal_delay_days=None)
    quest = fill(quest_start(citizen=citizen, procedure=instructed_passport))
    client.force_login(citizen)
    client.post(reverse("citizen:quest-submit", kwargs={"quest_id": quest.pk}))
    page = text(client.get(reverse("citizen:quest", kwargs={"quest_id": quest.pk})).content.decode())
    assert "Aucun délai légal n’est fixé pour cette démarche" in page


def test_a_guided_quest_ends_saying_which_official_site_received_the_request(client, citizen):
    procedure, _revision = published(GUIDED_STEPS, slug="inscription", title="Inscription")
    quest = quest_start(citizen=citizen, procedure=procedure)
    steps = steps_by_slug(quest)
    quest_step_complete(quest=quest, step=steps["a-savoir"])
    saved = answers_save(quest=quest, step=steps["situation"], data={"nouvelle_commune": "98818"})
    assert saved.errors == {}
    quest_step_complete(quest=quest, step=steps["situation"])
    answers_save(quest=quest, step=steps["teleservice"], data={"teleservice.reference": "12345678"})
    quest_step_complete(quest=quest, step=steps["teleservice"])
    quest.refresh_from_db()
    assert quest.state == QuestState.COMPLETED
    client.force_login(citizen)
    page = text(client.get(reverse("citizen:quest", kwargs={"quest_id": quest.pk})).content.decode())
    ending = page.split("data-ending>")[1].split("</div>")[0]
    assert "Votre démarche est terminée</h2>" in ending
    assert "Votre demande a été faite sur le site officiel : www.service-public.fr." in ending
    assert "Numéro de télédéclaration : <strong>12345678</strong>" in ending
    assert step_url(quest, "ensuite") in ending
