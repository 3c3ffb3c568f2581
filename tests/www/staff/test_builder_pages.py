"""The staff procedure builder through its pages: create, edit a draft, preview, publish, close."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from civiquest.accounts.models import AuditEvent, Service, ServiceKind
from civiquest.catalogue.models import (
    Field,
    FieldKind,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    RevisionStatus,
    Step,
    StepKind,
)
from civiquest.quests.models import Quest, QuestState
from civiquest.quests.services import quest_start
from tests.accounts.factories import AgentFactory, CitizenFactory, login_verified
from tests.catalogue.factories import ProcedureFactory, published

PROCEDURE_DATA = {
    "slug": "carte-peche",
    "title": "Demander une carte de pêche",
    "summary": "La carte de pêche de loisir, en ligne.",
    "keywords": "pêche",
    "theme": "loisirs",
    "life_events": [],
    "audience": "particuliers",
    "official_links": "Fédération de pêche | https://www.cartedepeche.fr/",
    "instructing_service": "",
    "estimated_minutes": "5",
    "cost_label": "Gratuit",
    "cost_cents": "0",
    "legal_delay_days": "",
    "attestation_template": "Attestation délivrée à {citizen_name}.",
}


def _step(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "À savoir",
        "slug": "a-savoir",
        "kind": StepKind.INFO,
        "body": "Lisez ceci.",
        "required": "on",
        "condition_op": "eq",
    }
    data.update(overrides)
    return data


def _field(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "label": "Nom",
        "name": "nom",
        "kind": FieldKind.TEXT,
        "required": "on",
        "decimal_places": "0",
        "condition_op": "eq",
    }
    data.update(overrides)
    return data


@pytest.fixture
def staff_client(client, staff):
    login_verified(client, staff)
    return client


def _create(client) -> Procedure:
    response = client.post(reverse("staff:builder-procedure-create"), PROCEDURE_DATA)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Procedure.objects.get(slug="carte-peche")


def test_build_and_publish_a_guided_procedure(staff_client, staff):
    procedure = _create(staff_client)
    assert procedure.status == ProcedureStatus.DRAFT
    assert procedure.official_links == [{"label": "Fédération de pêche", "url": "https://www.cartedepeche.fr/"}]
    assert procedure.attestation_template == "Attestation délivrée à {citizen_name}."
    edit = staff_client.get(reverse("staff:builder-procedure-edit", kwargs={"procedure_id": procedure.pk}))
    assert "Attestation délivrée à {citizen_name}." in edit.content.decode()
    url = reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk})
    assert staff_client.post(url, _step()).status_code == 302
    assert staff_client.post(url, _step(title="Vous", slug="vous", kind=StepKind.FORM, body="")).status_code == 302
    form_step = Step.objects.get(slug="vous")
    field_url = reverse("staff:builder-field-create", kwargs={"procedure_id": procedure.pk, "step_id": form_step.pk})
    assert staff_client.post(field_url, _field(max_length="100")).status_code == 302
    response = staff_client.get(reverse("staff:builder-preview", kwargs={"procedure_id": procedure.pk}))
    assert response.status_code == 200
    assert 'name="nom"' in response.content.decode()
    assert not Quest.objects.exists()
    response = staff_client.post(reverse("staff:builder-publish", kwargs={"procedure_id": procedure.pk}))
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.PUBLISHED
    revision = ProcedureRevision.objects.get(procedure=procedure, status=RevisionStatus.PUBLISHED)
    assert [step.slug for step in revision.steps.all()] == ["a-savoir", "vous"]
    assert list(AuditEvent.objects.order_by("at", "pk").values_list("action", flat=True)) == [
        "procedure.create",
        "step.add",
        "step.add",
        "field.add",
        "procedure.publish",
    ]
    assert set(AuditEvent.objects.values_list("actor", flat=True)) == {staff.pk}


def test_publish_refused_lists_every_problem(staff_client):
    procedure = _create(staff_client)
    draft = ProcedureRevision.objects.get(procedure=procedure)
    # A documents step without types and an agent review without a service, written directly.
    Step.objects.create(revision=draft, position=1, slug="pieces", title="Pièces", kind=StepKind.DOCUMENTS)
    Step.objects.create(revision=draft, position=2, slug="revue", title="Revue", kind=StepKind.AGENT_REVIEW)
    form = Step.objects.create(
        revision=draft,
        position=3,
        slug="form",
        title="Formulaire",
        kind=StepKind.FORM,
        condition={"field": "absent", "op": "eq", "value": "x"},
    )
    Field.objects.create(step=form, position=1, name="nom", label="Nom", kind=FieldKind.TEXT)
    response = staff_client.post(reverse("staff:builder-publish", kwargs={"procedure_id": procedure.pk}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "les pièces demandées sont invalides" in page
    assert "une instruction par le service demande un service instructeur" in page
    assert "« absent », qui n’est pas un champ placé avant" in page
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.DRAFT
    assert not AuditEvent.objects.filter(action="procedure.publish").exists()


def test_step_form_errors_name_the_field_and_keep_the_input(staff_client):
    procedure = _create(staff_client)
    url = reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk})
    response = staff_client.post(url, _step(kind=StepKind.DOCUMENTS, title="Mes pièces", slug="pieces"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choisissez au moins une pièce pour une étape de pièces justificatives." in page
    assert 'value="Mes pièces"' in page
    staff_client.post(url, _step())
    response = staff_client.post(url, _step(title="Autre"))  # same slug
    assert response.status_code == 400
    assert "Identifiant de l’étape" in response.content.decode()


def test_duplicate_field_name_is_refused_on_the_field(staff_client):
    procedure = _create(staff_client)
    staff_client.post(
        reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk}),
        _step(title="Vous", slug="vous", kind=StepKind.FORM),
    )
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={"procedure_id": procedure.pk, "step_id": step.pk})
    staff_client.post(url, _field())
    response = staff_client.post(url, _field(label="Nom encore"))
    assert response.status_code == 400
    assert Field.objects.count() == 1


def test_condition_chosen_from_an_earlier_field(staff_client):
    procedure = _create(staff_client)
    staff_client.post(
        reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk}),
        _step(title="Vous", slug="vous", kind=StepKind.FORM),
    )
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={"procedure_id": procedure.pk, "step_id": step.pk})
    staff_client.post(url, _field(name="majeur", label="Majeur", kind=FieldKind.YES_NO))
    response = staff_client.post(
        url, _field(name="permis", label="Permis", condition_field="majeur", condition_choices="majeur:oui")
    )
    assert response.status_code == 302
    assert Field.objects.get(name="permis").condition == {"field": "majeur", "op": "eq", "value": True}
    # A field that does not come before cannot be chosen.
    response = staff_client.post(
        url, _field(name="autre", label="Autre", condition_field="inconnu", condition_values="x")
    )
    assert response.status_code == 400
    # A choice condition must use the field's choices.
    staff_client.post(
        url,
        _field(name="mode", label="Mode", kind=FieldKind.SINGLE_CHOICE, choices="a | A\nb | B"),
    )
    response = staff_client.post(
        url,
        _field(
            name="detail",
            label="Détail",
            condition_field="mode",
            condition_op="in",
            condition_choices=["mode:a", "mode:z"],
        ),
    )
    assert response.status_code == 400
    assert not Field.objects.filter(name="detail").exists()


def test_reorder_and_delete_steps_and_fields(staff_client):
    procedure = _create(staff_client)
    url = reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk})
    for slug in ("un", "deux", "trois"):
        staff_client.post(url, _step(title=slug, slug=slug))
    deux = Step.objects.get(slug="deux")
    kwargs = {"procedure_id": procedure.pk, "step_id": deux.pk}
    staff_client.post(reverse("staff:builder-step-move", kwargs=kwargs), {"direction": "up"})
    assert list(Step.objects.order_by("position").values_list("slug", flat=True)) == ["deux", "un", "trois"]
    staff_client.post(reverse("staff:builder-step-move", kwargs=kwargs), {"direction": "up"})  # already first
    staff_client.post(reverse("staff:builder-step-delete", kwargs=kwargs))
    assert list(Step.objects.order_by("position").values_list("slug", "position")) == [("un", 1), ("trois", 2)]
    assert AuditEvent.objects.filter(action="step.move").count() == 1
    assert AuditEvent.objects.filter(action="step.delete").count() == 1


def test_rewards_and_close_are_audited(staff_client):
    procedure = _create(staff_client)
    response = staff_client.post(
        reverse("staff:builder-rewards", kwargs={"procedure_id": procedure.pk}),
        {"xp_per_step": "15", "completion_xp": "80", "badge_codes": ["pecheur"]},
    )
    assert response.status_code == 400
    staff_client.post(
        reverse("staff:builder-rewards", kwargs={"procedure_id": procedure.pk}),
        {"xp_per_step": "15", "completion_xp": "80", "badge_codes": ["voyageur"]},
    )
    draft = ProcedureRevision.objects.get(procedure=procedure)
    assert (draft.xp_per_step, draft.completion_xp, draft.badge_codes) == (15, 80, ["voyageur"])
    staff_client.post(
        reverse("staff:builder-close", kwargs={"procedure_id": procedure.pk}), {"motivation": "Fin de saison"}
    )
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CLOSED
    event = AuditEvent.objects.get(action="procedure.close")
    assert event.motivation == "Fin de saison"
    assert AuditEvent.objects.filter(action="revision.rewards").count() == 1


def test_staff_set_what_the_procedure_needs_and_the_features_follow(staff_client):
    from civiquest.appointments.services import books_through_ants

    procedure = _create(staff_client)
    url = reverse("staff:builder-needs", kwargs={"procedure_id": procedure.pk})
    page = staff_client.get(reverse("staff:builder-procedure", kwargs={"procedure_id": procedure.pk}))
    assert "Services liés" in page.content.decode() and 'name="appointment_need"' in page.content.decode()
    refused = staff_client.post(url, {"appointment_need": "DRIVING", "issued_title": "passport"})
    assert refused.status_code == 400
    assert ProcedureRevision.objects.get(procedure=procedure).issued_title == ""  # nothing half-saved
    staff_client.post(url, {"appointment_need": "PASSPORT", "issued_title": "passport", "tax_calendar": "on"})
    draft = ProcedureRevision.objects.get(procedure=procedure)
    assert (draft.appointment_need, draft.issued_title, draft.tax_calendar, draft.address_dispatch) == (
        "PASSPORT",
        "passport",
        True,
        False,
    )
    event = AuditEvent.objects.get(action="revision.needs")
    assert set(event.details["changed"]) == {"appointment_need", "issued_title", "tax_calendar"}
    # A quest pinned to this revision books at the town hall, whatever the procedure's slug.
    quest = Quest(procedure=procedure, revision=draft)
    assert books_through_ants(quest)
    staff_client.post(url, {"appointment_need": "", "issued_title": ""})
    draft.refresh_from_db()
    assert not books_through_ants(Quest(procedure=procedure, revision=draft))


def test_publishing_through_the_builder_keeps_open_quests_pinned(staff_client):
    procedure, first = published(
        [
            {"slug": "info", "title": "Info", "kind": StepKind.INFO},
            {
                "slug": "vous",
                "title": "Vous",
                "kind": StepKind.FORM,
                "fields": [{"name": "nom", "label": "Nom", "kind": FieldKind.TEXT}],
            },
        ]
    )
    quest = quest_start(citizen=CitizenFactory(), procedure=procedure)
    staff_client.post(reverse("staff:builder-draft", kwargs={"procedure_id": procedure.pk}))
    draft = ProcedureRevision.objects.get(procedure=procedure, status=RevisionStatus.DRAFT)
    staff_client.post(
        reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk}),
        _step(title="Nouvelle", slug="nouvelle"),
    )
    response = staff_client.post(reverse("staff:builder-publish", kwargs={"procedure_id": procedure.pk}))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.PUBLISHED and draft.number == 2
    quest.refresh_from_db()
    assert quest.revision_id == first.pk and quest.state == QuestState.DRAFT
    assert draft.steps.count() == 3 and first.steps.count() == 2


def test_published_steps_are_not_reachable(staff_client):
    procedure, revision = published([{"slug": "info", "title": "Info", "kind": StepKind.INFO}])
    step = revision.steps.get()
    url = reverse("staff:builder-step", kwargs={"procedure_id": procedure.pk, "step_id": step.pk})
    assert staff_client.get(url).status_code == 404
    other = ProcedureFactory()
    assert (
        staff_client.get(
            reverse("staff:builder-step", kwargs={"procedure_id": other.pk, "step_id": step.pk})
        ).status_code
        == 404
    )


PAGES = [
    ("staff:builder-procedures", {}),
    ("staff:builder-procedure-create", {}),
    ("staff:services", {}),
    ("staff:audit-log", {}),
    ("staff:audit-export", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_only_staff_get_in(db, client, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    for user in (AgentFactory(), CitizenFactory()):
        login_verified(client, user)
        assert client.get(url).status_code == 403
        client.logout()


def test_procedure_list_queries_are_bounded(staff_client, django_assert_max_num_queries):
    for index in range(15):
        procedure, _revision = published(
            [{"slug": "info", "title": "Info", "kind": StepKind.INFO}], slug=f"demarche-{index}"
        )
        quest_start(citizen=CitizenFactory(), procedure=procedure)
    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("staff:builder-procedures"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 16


def test_services_create_and_edit(staff_client):
    response = staff_client.post(reverse("staff:services"), {"name": "", "kind": ServiceKind.MAIRIE})
    assert response.status_code == 400
    assert "Nom du service" in response.content.decode()
    staff_client.post(reverse("staff:services"), {"name": "Mairie de Lyon", "kind": ServiceKind.MAIRIE})
    service = Service.objects.get()
    staff_client.post(
        reverse("staff:service-edit", kwargs={"service_id": service.pk}),
        {"name": "Mairie de Lyon 3e", "kind": ServiceKind.MAIRIE, "commune_code": "69383"},
    )
    service.refresh_from_db()
    assert (service.name, service.commune_code) == ("Mairie de Lyon 3e", "69383")
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "service.create",
        "service.update",
    ]


def test_agent_invitation_and_revocation_are_audited(staff_client):
    service = Service.objects.create(name="Préfecture", kind=ServiceKind.PREFECTURE)
    staff_client.post(reverse("staff:agents"), {"email": "a@prefecture.fr", "service": service.pk, "role": "manager"})
    invitation = service.invitations.get()
    staff_client.post(reverse("staff:invitation-revoke", kwargs={"invitation_id": invitation.pk}))
    events = list(AuditEvent.objects.order_by("pk"))
    assert [event.action for event in events] == ["agent.invite", "agent.invitation_revoke"]
    assert events[0].target_label == "a@prefecture.fr → Préfecture"


def test_audit_log_search_and_csv_export(staff_client, staff):
    procedure = _create(staff_client)
    staff_client.post(
        reverse("staff:builder-close", kwargs={"procedure_id": procedure.pk}), {"motivation": "=SOMME(A1)"}
    )
    response = staff_client.get(reverse("staff:audit-log"), {"action": "procedure.close"})
    page = response.content.decode()
    assert "procedure.close" in page and "procedure.create" not in page
    response = staff_client.get(reverse("staff:audit-log"), {"q": "pêche"})
    page = response.content.decode()
    assert "procedure.create" in page and "procedure.close" in page  # both name the procedure
    response = staff_client.get(reverse("staff:audit-log"), {"q": "somme"})
    page = response.content.decode()
    assert "procedure.close" in page and "procedure.create" not in page  # the motivation only
    response = staff_client.get(reverse("staff:audit-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Date"
    assert [row[3] for row in rows[1:]] == ["procedure.close", "procedure.create"]
    assert rows[1][7] == "'=SOMME(A1)"
    assert staff.email
    assert rows[1][1] == staff.email


def test_audit_log_pages_are_bounded(staff_client, staff, django_assert_max_num_queries):
    from civiquest.accounts.audit import audit_record

    for index in range(120):
        audit_record(actor=staff, action="test.action", target=("test", str(index), f"Cible {index}"))
    with django_assert_max_num_queries(10):
        response = staff_client.get(reverse("staff:audit-log"), {"page": "2"})
    assert response.status_code == 200
    assert "Cible 69" in response.content.decode()


def test_editor_and_preview_queries_are_bounded(staff_client, django_assert_max_num_queries):
    procedure = _create(staff_client)
    draft = ProcedureRevision.objects.get(procedure=procedure)
    for position in range(1, 11):
        step = Step.objects.create(
            revision=draft, position=position, slug=f"etape-{position}", title=f"Étape {position}", kind=StepKind.FORM
        )
        for field_position in range(1, 4):
            Field.objects.create(
                step=step,
                position=field_position,
                name=f"champ_{position}_{field_position}",
                label=f"Champ {position}.{field_position}",
                kind=FieldKind.TEXT,
            )
    for name in ("staff:builder-procedure", "staff:builder-preview", "staff:builder-overview"):
        with django_assert_max_num_queries(14):
            response = staff_client.get(reverse(name, kwargs={"procedure_id": procedure.pk}))
        assert response.status_code == 200
        assert "Étape 10" in response.content.decode() or name == "staff:builder-overview"


XSS_HELP = (
    '<p onclick="alert(1)">Au format <strong>AB-123-CD</strong>, '
    '<a href="javascript:alert(2)">aide</a> <a href="https://www.service-public.fr/">fiche</a></p>'
    "<script>alert(3)</script><img src=x onerror=alert(4)>"
)


def test_a_fields_help_text_is_cleaned_when_saved_and_when_shown(staff_client, client):
    from civiquest.quests.services import quest_start
    from tests.accounts.factories import CitizenFactory

    procedure = _create(staff_client)
    staff_client.post(
        reverse("staff:builder-step-create", kwargs={"procedure_id": procedure.pk}),
        _step(title="Vous", slug="vous", kind=StepKind.FORM),
    )
    step = Step.objects.get()
    url = reverse("staff:builder-field-create", kwargs={"procedure_id": procedure.pk, "step_id": step.pk})
    assert staff_client.post(url, _field(help_text=XSS_HELP)).status_code == 302
    saved = Field.objects.get().help_text
    assert "<strong>AB-123-CD</strong>" in saved and 'href="https://www.service-public.fr/"' in saved
    for active in ("<script", "onclick", "onerror", "javascript:", "<img"):
        assert active not in saved
    # Text saved before the rule (or by other means) is cleaned again when shown.
    Field.objects.update(help_text=XSS_HELP)
    preview = staff_client.get(reverse("staff:builder-preview", kwargs={"procedure_id": procedure.pk}))
    procedure.refresh_from_db()
    assert (
        staff_client.post(reverse("staff:builder-publish", kwargs={"procedure_id": procedure.pk})).status_code == 302
    )
    citizen = CitizenFactory()
    quest = quest_start(citizen=citizen, procedure=procedure)
    client.force_login(citizen)
    page = client.get(reverse("citizen:quest-step", args=[quest.pk, "vous"]))
    for response in (preview, page):
        html = response.content.decode()
        assert response.status_code == 200
        assert "<strong>AB-123-CD</strong>" in html and 'rel="noopener noreferrer"' in html
        for active in ("alert(1)", "alert(2)", "alert(3)", "alert(4)"):
            assert active not in html
