"""Issue 21 point 9 in chromium: the builder's steps and fields reorder by drag and drop, and
each row's move control (a position select and « Déplacer ») stays the keyboard way."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from civiquest.catalogue import builder
from civiquest.catalogue.models import FieldKind, Step, StepKind
from tests.a11y.test_axe import assert_no_violations
from tests.accounts.factories import StaffFactory
from tests.catalogue.factories import ProcedureFactory

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

STEP_TITLES = ["Avant de commencer", "Vos coordonnées", "Vos justificatifs"]


def handle(page, name: str):
    return page.get_by_role("button", name=f"Faire glisser « {name} »")


def row_titles(page):
    return page.locator("tbody[data-reorder] th[scope='row']")


def drag_onto(page, name: str, row) -> None:
    """Drag a row by its handle onto another, the table in the middle of the window (no autoscroll).

    The handle shows once the module has run (it is ``hidden`` before): dragging earlier, on a page
    just loaded, would move nothing."""
    expect(handle(page, name)).to_be_visible()
    page.locator("tbody[data-reorder]").evaluate("body => body.scrollIntoView({block: 'center'})")
    handle(page, name).drag_to(row)


def step_titles() -> list[str]:
    return list(Step.objects.order_by("position").values_list("title", flat=True))


def test_steps_and_fields_reorder_by_drag_and_drop_and_by_keyboard(browser_page_as, live_server):
    staff = StaffFactory()
    procedure = ProcedureFactory()
    draft = builder.draft_ensure(actor=staff, procedure=procedure)
    for index, title in enumerate(STEP_TITLES):
        step = builder.step_add(
            actor=staff,
            revision=draft,
            values={
                "title": title,
                "slug": f"etape-{index}",
                "kind": StepKind.FORM,
                "required": True,
                "condition": None,
            },
        )
    for name, label in [("nom", "Votre nom"), ("prenom", "Votre prénom")]:
        builder.field_add(actor=staff, step=step, values={"label": label, "name": name, "kind": FieldKind.TEXT})
    page = browser_page_as(staff)
    page.goto(live_server.url + reverse("staff:builder-procedure", kwargs={"procedure_id": procedure.pk}))
    expect(handle(page, "Vos justificatifs")).to_be_visible()
    expect(row_titles(page)).to_have_text(STEP_TITLES)
    assert_no_violations(page)

    # The third step dragged onto the first takes its place; the reloaded page says so.
    drag_onto(page, "Vos justificatifs", page.locator("tbody[data-reorder] tr").first)
    expect(page.get_by_role("status")).to_contain_text("L’étape « Vos justificatifs » est déplacée.")
    expect(row_titles(page)).to_have_text(["Vos justificatifs", "Avant de commencer", "Vos coordonnées"])
    assert step_titles() == ["Vos justificatifs", "Avant de commencer", "Vos coordonnées"]
    assert_no_violations(page)

    # The keyboard way: the handle, pressed, leads to the row's position select and « Déplacer ».
    handle(page, "Avant de commencer").focus()
    page.keyboard.press("Enter")
    select = page.get_by_label("Position Avant de commencer")
    expect(select).to_be_focused()
    select.select_option("3")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Déplacer Avant de commencer")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("L’étape « Avant de commencer » est déplacée.")
    expect(row_titles(page)).to_have_text(["Vos justificatifs", "Vos coordonnées", "Avant de commencer"])
    assert step_titles() == ["Vos justificatifs", "Vos coordonnées", "Avant de commencer"]

    # The fields of a step, the same way: the first dragged onto the second goes after it.
    page.get_by_role("link", name="Vos justificatifs").click()
    expect(page).to_have_url(re.compile(rf".*/etapes/{step.pk}/$"))
    expect(row_titles(page)).to_have_text(["Votre nom", "Votre prénom"])
    drag_onto(page, "Votre nom", page.locator("tbody[data-reorder] tr").last)
    expect(page.get_by_role("status")).to_contain_text("Votre nom")
    expect(row_titles(page)).to_have_text(["Votre prénom", "Votre nom"])
    assert list(step.fields.order_by("position").values_list("name", flat=True)) == ["prenom", "nom"]
    assert_no_violations(page)
