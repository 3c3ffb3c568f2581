"""Issue 21 point 9: a builder staff can use (active sub-navigation, badges from the list, labelled conditions...)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from civiquest.catalogue.models import ProcedureRevision, Step, StepKind
from civiquest.progress.badges import BADGES, badge
from tests.accounts.factories import login_verified
from tests.www.staff.test_builder_pages import _create, _step


@pytest.fixture
def staff_client(client, staff):
    login_verified(client, staff)
    return client


def _current(html: str) -> list[tuple[str, str]]:
    """The (aria-current, text) of the links of the procedure's sub-navigation."""
    nav = html.split('aria-label="Pages de la démarche"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'aria-current="(page|true)">([^<]+)</a>', nav)


def test_the_procedure_sub_navigation_marks_the_current_page(staff_client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    for name, text in (
        ("staff:builder-procedure", "Révision et étapes"),
        ("staff:builder-procedure-edit", "Description"),
        ("staff:builder-preview", "Aperçu"),
        ("staff:builder-overview", "Statistiques"),
    ):
        html = staff_client.get(reverse(name, kwargs=kwargs)).content.decode()
        assert _current(html) == [("page", text)], name
    staff_client.post(reverse("staff:builder-step-create", kwargs=kwargs), _step(kind=StepKind.FORM, body=""))
    step = Step.objects.get()
    html = staff_client.get(reverse("staff:builder-step", kwargs={**kwargs, "step_id": step.pk})).content.decode()
    assert _current(html) == [("true", "Révision et étapes")]


def test_badges_are_picked_from_the_list_by_name(staff_client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    url = reverse("staff:builder-rewards", kwargs=kwargs)
    response = staff_client.post(url, {"xp_per_step": "10", "completion_xp": "50", "badge_codes": ["inconnu"]})
    assert response.status_code == 400
    assert ProcedureRevision.objects.get(procedure=procedure).badge_codes == []
    staff_client.post(url, {"xp_per_step": "10", "completion_xp": "50", "badge_codes": ["voyageur", "electeur"]})
    assert set(ProcedureRevision.objects.get(procedure=procedure).badge_codes) == {"electeur", "voyageur"}
    html = staff_client.get(reverse("staff:builder-procedure", kwargs=kwargs)).content.decode()
    # A checkbox per badge of the catalogue, labelled with its name; those of the revision are ticked.
    assert html.count('name="badge_codes"') == len(BADGES)
    assert re.search(r'value="voyageur"[^>]*checked', html)
    assert not re.search(r'value="citoyen"[^>]*checked', html)
    assert str(badge("voyageur").name) in html
    assert "Codes des badges" not in html
