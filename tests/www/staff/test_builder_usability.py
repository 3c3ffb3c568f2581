"""Issue 21 point 9: a builder staff can use (active sub-navigation, badges from the list, labelled conditions...)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from civiquest.accounts.models import AuditEvent
from civiquest.catalogue.cleaning import clean_value
from civiquest.catalogue.inputs import InputInvalid, field_spec
from civiquest.catalogue.models import Field, FieldKind, ProcedureRevision, Step, StepKind
from civiquest.progress.badges import BADGES, badge
from tests.accounts.factories import AgentFactory, login_verified
from tests.www.staff.test_builder_pages import _create, _field, _step


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


def test_conditions_are_chosen_and_shown_by_labels(staff_client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    staff_client.post(reverse("staff:builder-step-create", kwargs=kwargs), _step(kind=StepKind.FORM, body=""))
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={**kwargs, "step_id": step.pk})
    choices = "moins_15 | Moins de 15 ans\nmineur_15_17 | De 15 à 17 ans\nmajeur | 18 ans ou plus"
    staff_client.post(url, _field(name="age", label="Votre âge", kind=FieldKind.SINGLE_CHOICE, choices=choices))
    html = staff_client.get(url).content.decode()
    # The field by its label, its values by their labels (the internal value is only the checkbox's value).
    assert re.search(r'<option value="age">Votre âge</option>', html)
    assert re.search(r'value="age:mineur_15_17"[^>]*>\s*<label[^>]*>\s*Votre âge : De 15 à 17 ans', html), html
    assert "(age)" not in html
    response = staff_client.post(
        url,
        _field(
            name="autorisation",
            label="Autorisation parentale",
            condition_field="age",
            condition_op="in",
            condition_choices=["age:moins_15", "age:mineur_15_17"],
        ),
    )
    assert response.status_code == 302
    field_ = Field.objects.get(name="autorisation")
    assert field_.condition == {"field": "age", "op": "in", "value": ["moins_15", "mineur_15_17"]}
    step_html = staff_client.get(reverse("staff:builder-step", kwargs={**kwargs, "step_id": step.pk})).content.decode()
    assert "Votre âge est l’une des valeurs Moins de 15 ans, De 15 à 17 ans" in step_html
    assert "mineur_15_17" not in step_html
    edit = reverse("staff:builder-field", kwargs={**kwargs, "step_id": step.pk, "field_id": field_.pk})
    edit_html = staff_client.get(edit).content.decode()
    assert re.search(r'value="age:mineur_15_17"[^>]*checked', edit_html)
    # A field of the choice kind needs a ticked value of its own.
    response = staff_client.post(url, _field(name="x", label="X", condition_field="age", condition_values="majeur"))
    assert response.status_code == 400
    assert "Cochez au moins une réponse de « Votre âge »." in response.content.decode()


@pytest.mark.parametrize(
    ("format_", "kind", "valid", "invalid"),
    [
        ("postcode", FieldKind.TEXT, "75011", "7501"),
        ("nir", FieldKind.TEXT, "2 84 05 2A 123 456 78", "3 84 05 75 123 456 78"),
        ("phone", FieldKind.PHONE, "06 12 34 56 78", "12"),
        ("amount", FieldKind.NUMBER, "12,50", "-3"),
    ],
)
def test_common_formats_are_offered_by_name(staff_client, format_, kind, valid, invalid):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    staff_client.post(reverse("staff:builder-step-create", kwargs=kwargs), _step(kind=StepKind.FORM, body=""))
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={**kwargs, "step_id": step.pk})
    assert "Code postal (5 chiffres)" in staff_client.get(url).content.decode()
    response = staff_client.post(url, _field(name="valeur", label="Valeur", format=format_))
    assert response.status_code == 302, response.content.decode()[:3000]
    field_ = Field.objects.get(name="valeur")
    assert field_.kind == kind
    spec = field_spec(field_)
    clean_value(spec, valid)
    with pytest.raises(InputInvalid):
        clean_value(spec, invalid)
    edit = reverse("staff:builder-field", kwargs={**kwargs, "step_id": step.pk, "field_id": field_.pk})
    html = staff_client.get(edit).content.decode()
    # Shown again by its name, never as the regular expression it stands for.
    assert re.search(rf'<option value="{format_}" selected>', html)
    assert not re.search(r'name="pattern"[^>]*value=', html)


def test_a_date_range_is_offered_by_name(staff_client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    staff_client.post(reverse("staff:builder-step-create", kwargs=kwargs), _step(kind=StepKind.FORM, body=""))
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={**kwargs, "step_id": step.pk})
    staff_client.post(url, _field(name="naissance", label="Naissance", kind=FieldKind.TEXT, format="past_date"))
    field_ = Field.objects.get(name="naissance")
    assert (field_.kind, field_.min_date, field_.max_date) == (FieldKind.DATE, "", "today")


def test_the_editors_keep_only_what_the_chosen_type_needs(staff_client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    url = reverse("staff:builder-step-create", kwargs=kwargs)
    page = staff_client.get(url).content.decode()
    assert 'id="builder-kind-groups"' in page
    assert "staff/builder-kinds" in page
    # Without the script every input is posted: those an information step does not use are ignored.
    response = staff_client.post(
        url, _step(checklist_items="Une chose", external_url="https://example.org", reference_label="Numéro")
    )
    assert response.status_code == 302
    step = Step.objects.get()
    assert (step.checklist_items, step.external_url, step.reference_label) == ([], "", "")
    staff_client.post(url, _step(title="Vous", slug="vous", kind=StepKind.FORM, body=""))
    form_step = Step.objects.get(slug="vous")
    field_url = reverse("staff:builder-field-create", kwargs={**kwargs, "step_id": form_step.pk})
    response = staff_client.post(
        field_url,
        _field(choices="a | A", min_value="1", max_value="0", min_date="today", decimal_places="2", min_length="2"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    field_ = Field.objects.get(name="nom")
    assert (field_.choices, field_.min_value, field_.max_value, field_.min_date, field_.decimal_places) == (
        [],
        None,
        None,
        "",
        0,
    )
    assert field_.min_length == 2


def test_one_move_control_per_row_moves_to_a_position(staff_client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    for slug in ("un", "deux", "trois", "quatre"):
        staff_client.post(reverse("staff:builder-step-create", kwargs=kwargs), _step(title=slug, slug=slug))
    html = staff_client.get(reverse("staff:builder-procedure", kwargs=kwargs)).content.decode()
    assert "Monter" not in html
    assert "Descendre" not in html
    assert html.count('name="position"') == 4
    assert len(re.findall(r"Déplacer<span class=\"fr-sr-only\">", html)) == 4
    # Drag and drop enhances the rows: its handles are hidden until the script shows them.
    assert "staff/builder-reorder" in html
    assert len(re.findall(r"data-reorder-handle\s+hidden>", html)) == 4
    first = Step.objects.get(slug="un")
    move = reverse("staff:builder-step-move", kwargs={**kwargs, "step_id": first.pk})
    assert staff_client.post(move, {"position": "3"}).status_code == 302
    assert list(Step.objects.order_by("position").values_list("slug", flat=True)) == ["deux", "trois", "un", "quatre"]
    staff_client.post(move, {"position": "1"})
    assert list(Step.objects.order_by("position").values_list("slug", flat=True)) == ["un", "deux", "trois", "quatre"]
    staff_client.post(move, {"position": "99"})  # beyond the end: it goes last
    assert list(Step.objects.order_by("position").values_list("slug", flat=True)) == ["deux", "trois", "quatre", "un"]
    assert AuditEvent.objects.filter(action="step.move").count() == 3


def test_fields_move_to_a_position(staff_client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    staff_client.post(reverse("staff:builder-step-create", kwargs=kwargs), _step(kind=StepKind.FORM, body=""))
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={**kwargs, "step_id": step.pk})
    for name in ("a", "b", "c"):
        staff_client.post(url, _field(name=name, label=name.upper()))
    field_ = Field.objects.get(name="c")
    move = reverse("staff:builder-field-move", kwargs={**kwargs, "step_id": step.pk, "field_id": field_.pk})
    staff_client.post(move, {"position": "1"})
    assert list(Field.objects.order_by("position").values_list("name", flat=True)) == ["c", "a", "b"]
    html = staff_client.get(reverse("staff:builder-step", kwargs={**kwargs, "step_id": step.pk})).content.decode()
    assert re.search(rf'id="position-{field_.pk}"', html)


def test_the_preview_shows_the_draft_as_a_citizen_sees_it_with_conditions_by_labels(staff_client, client):
    procedure = _create(staff_client)
    kwargs = {"procedure_id": procedure.pk}
    staff_client.post(reverse("staff:builder-step-create", kwargs=kwargs), _step(kind=StepKind.FORM, body=""))
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={**kwargs, "step_id": step.pk})
    staff_client.post(url, _field(name="majeur", label="Êtes-vous majeur ?", kind=FieldKind.YES_NO))
    staff_client.post(
        url, _field(name="permis", label="Numéro de permis", condition_field="majeur", condition_choices="majeur:oui")
    )
    staff_client.post(
        reverse("staff:builder-step-create", kwargs=kwargs),
        _step(title="Pour les majeurs", slug="majeurs", condition_field="majeur", condition_choices="majeur:oui"),
    )
    html = staff_client.get(reverse("staff:builder-preview", kwargs=kwargs)).content.decode()
    assert "Champ « Numéro de permis » affiché seulement si : Êtes-vous majeur ? est égal à Oui." in html
    assert "Affichée seulement si : Êtes-vous majeur ? est égal à Oui." in html
    assert 'name="permis"' in html
    assert re.search(r"<fieldset disabled", html)
    # Staff only.
    client.logout()
    preview = reverse("staff:builder-preview", kwargs=kwargs)
    response = client.get(preview)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={preview}"
    client.force_login(AgentFactory())
    assert client.get(preview).status_code == 403
