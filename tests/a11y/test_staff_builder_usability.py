"""Issue 21 point 9 in chromium: the builder's editors show only what the chosen type needs."""

import pytest
from django.urls import reverse

from civiquest.catalogue import builder
from civiquest.catalogue.models import FieldKind, StepKind
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import StaffFactory
from tests.catalogue.factories import ProcedureFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]


def test_the_step_and_field_editors_follow_the_chosen_type(browser_page_as, live_server):
    staff = StaffFactory()
    procedure = ProcedureFactory()
    draft = builder.draft_ensure(actor=staff, procedure=procedure)
    step = builder.step_add(
        actor=staff,
        revision=draft,
        values={"title": "Vous", "slug": "vous", "kind": StepKind.FORM, "required": True, "condition": None},
    )
    builder.field_add(
        actor=staff,
        step=step,
        values={
            "label": "Votre âge",
            "name": "age",
            "kind": FieldKind.SINGLE_CHOICE,
            "choices": [
                {"value": "mineur", "label": "Moins de 18 ans"},
                {"value": "majeur", "label": "18 ans ou plus"},
            ],
        },
    )
    page = browser_page_as(staff)
    page.goto(live_server.url + reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk}))
    checklist = page.get_by_label("Éléments à cocher")
    address = page.get_by_label("Adresse du site officiel")
    assert not checklist.is_visible()
    assert not address.is_visible()
    page.get_by_label("Type d’étape").select_option(StepKind.CHECKLIST)
    assert checklist.is_visible()
    assert not address.is_visible()
    assert_no_violations(page)
    page.goto(
        live_server.url
        + reverse("staff:builder-field-create", kwargs={"procedure_id": procedure.pk, "step_id": step.pk})
    )
    assert page.get_by_label("Longueur maximale").is_visible()
    assert not page.get_by_label("Valeur maximale").is_visible()
    assert not page.get_by_label("Choix", exact=True).is_visible()
    page.locator("#id_kind").select_option("number")
    assert page.get_by_label("Valeur maximale").is_visible()
    assert not page.get_by_label("Longueur maximale").is_visible()
    # The condition's answers are ticked by their labels, once its field is chosen.
    assert not page.get_by_label("Moins de 18 ans").is_visible()
    assert not page.get_by_label("Valeurs saisies de la condition").is_visible()
    page.get_by_label("Afficher seulement si le champ").select_option("age")
    assert not page.get_by_label("Valeurs saisies de la condition").is_visible()
    page.get_by_text("Moins de 18 ans").click()
    assert page.get_by_label("Moins de 18 ans").is_checked()
    assert_no_violations(page)
