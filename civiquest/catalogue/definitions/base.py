"""How a catalogue procedure is written: a frozen definition and small step builders.

Titles, labels and bodies are content (French, like every procedure an administrator
writes in the builder), not interface strings: they are not translated through gettext.
A step is the dict ``Step.objects.create`` takes, plus an optional ``fields`` list of
dicts ``Field.objects.create`` takes (the loader numbers positions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from civiquest.catalogue.models import Audience, LifeEventCode, StepKind, Theme

# Which demo service instructs a procedure; ``None`` for a guided one.
ServiceRef = Literal["mairie", "prefecture"]
StepSpec = dict[str, Any]
FieldSpec = dict[str, Any]

SERVICE_PUBLIC = "https://www.service-public.fr/particuliers/vosdroits/"


@dataclass(frozen=True)
class ProcedureDefinition:
    """One procedure of the catalogue: what describes it, and the content of its revision."""

    slug: str
    title: str
    summary: str
    theme: Theme
    life_events: tuple[LifeEventCode, ...]
    # (label, url)
    official_links: tuple[tuple[str, str], ...]
    steps: tuple[StepSpec, ...]
    keywords: str = ""
    audience: Audience = Audience.INDIVIDUALS
    instructing_service: ServiceRef | None = None
    estimated_minutes: int = 10
    cost_label: str = ""
    cost_cents: int = 0
    legal_delay_days: int | None = None
    xp_per_step: int = 10
    completion_xp: int = 50
    badge_codes: tuple[str, ...] = ()
    # What the procedure needs from the services around it (see ``REVISION_NEEDS``).
    appointment_need: str = ""
    issued_title: str = ""
    tax_calendar: bool = False
    address_dispatch: bool = False
    # The stages of the journey (``catalogue.stages``): (label, slugs of consecutive steps). A
    # step not listed is a stage of its own; a long procedure names its stages so that the
    # DSFR stepper (8 steps at most) shows where the citizen is.
    stages: tuple[tuple[str, tuple[str, ...]], ...] = ()


def fiche(identifier: str, label: str) -> tuple[str, str]:
    """A link to a service-public.fr "vos droits et démarches" fiche."""
    return (label, f"{SERVICE_PUBLIC}{identifier}")


def info(slug: str, title: str, body: str, **extra: Any) -> StepSpec:
    return {"slug": slug, "title": title, "kind": StepKind.INFO, "body": body, **extra}


def form(slug: str, title: str, fields: list[FieldSpec], body: str = "", **extra: Any) -> StepSpec:
    return {"slug": slug, "title": title, "kind": StepKind.FORM, "body": body, "fields": fields, **extra}


def documents(slug: str, title: str, types: list[str], body: str = "", **extra: Any) -> StepSpec:
    return {"slug": slug, "title": title, "kind": StepKind.DOCUMENTS, "body": body, "document_types": types, **extra}


def outside_service(
    slug: str, title: str, *, url: str, reference_label: str, reference_pattern: str, body: str = "", **extra: Any
) -> StepSpec:
    return {
        "slug": slug,
        "title": title,
        "kind": StepKind.OUTSIDE_SERVICE,
        "body": body,
        "external_url": url,
        "reference_label": reference_label,
        "reference_pattern": reference_pattern,
        **extra,
    }


def appointment(slug: str, title: str, body: str = "", **extra: Any) -> StepSpec:
    return {"slug": slug, "title": title, "kind": StepKind.APPOINTMENT, "body": body, **extra}


def agent_review(slug: str, title: str, body: str = "", **extra: Any) -> StepSpec:
    return {"slug": slug, "title": title, "kind": StepKind.AGENT_REVIEW, "body": body, **extra}


def checklist(slug: str, title: str, items: list[str], body: str = "", **extra: Any) -> StepSpec:
    return {"slug": slug, "title": title, "kind": StepKind.CHECKLIST, "body": body, "checklist_items": items, **extra}


def choices(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


def when(field: str, op: str, value: Any) -> dict[str, Any]:
    """A display condition on an earlier answer (``eq``, ``in`` or ``not_in``)."""
    return {"field": field, "op": op, "value": value}
