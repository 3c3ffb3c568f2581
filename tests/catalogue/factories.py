"""Factories for procedures and quests, and builders for whole published procedures."""

from __future__ import annotations

from typing import Any

import factory

from civiquest.accounts.models import Service, ServiceKind, ServiceMembership, ServiceRole
from civiquest.catalogue.models import (
    Field,
    FieldKind,
    Procedure,
    ProcedureRevision,
    ProcedureStatus,
    Step,
    StepKind,
    Theme,
)
from civiquest.catalogue.services import revision_publish
from civiquest.documents.models import Document, DocumentType
from tests.accounts.factories import AgentFactory, CitizenFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    """A wallet document with a small stored file (what ``document_upload`` checks is tested apart)."""

    class Meta:
        model = Document

    owner = factory.SubFactory(CitizenFactory)
    type = DocumentType.OTHER
    title = factory.Sequence(lambda number: f"Document {number}")
    file = factory.django.FileField(filename="document.pdf", data=b"%PDF-1.4\n%%EOF\n")
    original_filename = "document.pdf"
    content_type = "application/pdf"
    size = 14
    sha256 = "0" * 64


def with_wallet_documents(quest: Any, step: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each document answer of the step replaced by a real document of the citizen's wallet."""
    from civiquest.catalogue.inputs import document_alternatives, step_inputs

    filled = dict(data)
    for spec in step_inputs(step):
        if spec.kind == FieldKind.DOCUMENT and spec.name in filled and filled[spec.name] not in ("", None):
            document_type = document_alternatives(spec.document_type)[0] if spec.document_type else DocumentType.OTHER
            document = DocumentFactory(owner=quest.citizen, type=document_type)
            filled[spec.name] = document.pk
    return filled


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Mairie n°{n}")
    kind = ServiceKind.MAIRIE
    commune_code = "98818"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    slug = factory.Sequence(lambda n: f"demarche-{n}")
    title = factory.Sequence(lambda n: f"Démarche {n}")
    summary = "Une démarche de test."
    theme = Theme.PAPERS
    status = ProcedureStatus.DRAFT
    instructing_service = None


def _next_number(revision: Any) -> int:
    numbers = ProcedureRevision.objects.filter(procedure=revision.procedure).values_list("number", flat=True)
    return max(numbers, default=0) + 1


class RevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureRevision

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.LazyAttribute(_next_number)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    revision = factory.SubFactory(RevisionFactory)
    position = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"etape-{n}")
    title = factory.Sequence(lambda n: f"Étape {n}")
    kind = StepKind.INFO


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field

    step = factory.SubFactory(StepFactory, kind=StepKind.FORM)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"champ_{n}")
    label = factory.Sequence(lambda n: f"Champ {n}")
    kind = FieldKind.TEXT


def member_of(service: Service, role: ServiceRole = ServiceRole.INSTRUCTOR, **kwargs: Any):
    agent = AgentFactory(**kwargs)
    ServiceMembership.objects.create(user=agent, service=service, role=role)
    return agent


def add_steps(revision: ProcedureRevision, steps: list[dict[str, Any]]) -> list[Step]:
    """Steps from compact specs: each a dict of Step attributes plus an optional ``fields`` list."""
    made = []
    for position, spec in enumerate(steps, start=1):
        spec = dict(spec)
        fields = spec.pop("fields", [])
        step = Step.objects.create(revision=revision, position=position, **spec)
        for field_position, field_spec in enumerate(fields, start=1):
            Field.objects.create(step=step, position=field_position, **field_spec)
        made.append(step)
    return made


def published(
    steps: list[dict[str, Any]],
    *,
    service: Service | None = None,
    needs: dict[str, Any] | None = None,
    **procedure: Any,
) -> tuple[Procedure, ProcedureRevision]:
    """A published procedure whose first revision has these steps (and ``needs``, see ``REVISION_NEEDS``)."""
    proc = ProcedureFactory(instructing_service=service, **procedure)
    revision = RevisionFactory(procedure=proc, **(needs or {}))
    add_steps(revision, steps)
    revision_publish(procedure=proc)
    revision.refresh_from_db()
    proc.refresh_from_db()
    return proc, revision


# A passport-like instructed procedure: every kind of step the citizen does, and conditions.
INSTRUCTED_STEPS: list[dict[str, Any]] = [
    {"slug": "avant-de-commencer", "title": "Avant de commencer", "kind": StepKind.INFO},
    {
        "slug": "identite",
        "title": "Votre identité",
        "kind": StepKind.FORM,
        "fields": [
            {"name": "nom", "label": "Nom", "kind": FieldKind.TEXT, "max_length": 100},
            {"name": "naissance", "label": "Date de naissance", "kind": FieldKind.DATE, "max_date": "today"},
            {"name": "premiere_demande", "label": "Première demande", "kind": FieldKind.YES_NO},
            {
                "name": "ancien_numero",
                "label": "Numéro de l’ancien passeport",
                "kind": FieldKind.TEXT,
                "pattern": r"[0-9]{2}[A-Z]{2}[0-9]{5}",
                "condition": {"field": "premiere_demande", "op": "eq", "value": False},
            },
        ],
    },
    {
        "slug": "perte",
        "title": "Déclaration de perte",
        "kind": StepKind.FORM,
        "condition": {"field": "premiere_demande", "op": "eq", "value": False},
        "fields": [
            {
                "name": "motif",
                "label": "Motif du renouvellement",
                "kind": FieldKind.SINGLE_CHOICE,
                "choices": [
                    {"value": "expire", "label": "Il a expiré"},
                    {"value": "perdu", "label": "Je l’ai perdu"},
                    {"value": "vole", "label": "On me l’a volé"},
                ],
            },
            {
                "name": "commune_perte",
                "label": "Commune de la perte",
                "kind": FieldKind.COMMUNE,
                "condition": {"field": "motif", "op": "in", "value": ["perdu", "vole"]},
            },
        ],
    },
    {
        "slug": "pre-demande",
        "title": "Pré-demande en ligne",
        "kind": StepKind.OUTSIDE_SERVICE,
        "external_url": "https://passeport.ants.gouv.fr/demarches-en-ligne/faire-une-pre-demande-de-passeport",
        "reference_label": "Numéro de pré-demande",
        "reference_pattern": r"[A-Z0-9]{10}",
    },
    {
        "slug": "pieces",
        "title": "Vos pièces justificatives",
        "kind": StepKind.DOCUMENTS,
        "document_types": ["id_photo", "proof_of_address"],
    },
    {
        "slug": "preparer",
        "title": "Préparer le rendez-vous",
        "kind": StepKind.CHECKLIST,
        "required": False,
        "checklist_items": ["Timbre fiscal acheté", "Photo de moins de 6 mois"],
    },
    {"slug": "instruction", "title": "Instruction en mairie", "kind": StepKind.AGENT_REVIEW},
]

# A guided procedure, done on the official site: no service, no agent review.
GUIDED_STEPS: list[dict[str, Any]] = [
    {"slug": "a-savoir", "title": "À savoir", "kind": StepKind.INFO},
    {
        "slug": "situation",
        "title": "Votre situation",
        "kind": StepKind.FORM,
        "fields": [{"name": "nouvelle_commune", "label": "Nouvelle commune", "kind": FieldKind.COMMUNE}],
    },
    {
        "slug": "teleservice",
        "title": "Déclarer en ligne",
        "kind": StepKind.OUTSIDE_SERVICE,
        "external_url": "https://www.service-public.fr/particuliers/vosdroits/R11193",
        "reference_label": "Numéro de télédéclaration",
        "reference_pattern": r"[0-9]{8}",
    },
    {
        "slug": "ensuite",
        "title": "Et ensuite",
        "kind": StepKind.CHECKLIST,
        "required": False,
        "checklist_items": ["Prévenir la banque"],
    },
]

# Answers that complete INSTRUCTED_STEPS, step by step (a first request: no "perte" step).
INSTRUCTED_ANSWERS: dict[str, dict[str, Any]] = {
    "identite": {"nom": "Martin", "naissance": "1990-05-17", "premiere_demande": "oui"},
    "pre-demande": {"pre-demande.reference": "AB12CD34EF"},
    "pieces": {"pieces.id_photo": 11, "pieces.proof_of_address": "12"},
}
