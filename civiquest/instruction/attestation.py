"""The attestation an accepted quest produces: a PDF (fpdf2), with a verification code.

The text comes from the procedure's ``attestation_template`` (staff-editable), or the
default one, with ``{placeholders}`` (``PLACEHOLDERS``). The PDF uses a core font
(Helvetica, Latin-1): characters outside Latin-1 are replaced by their nearest Latin-1
form (typographic apostrophes and quotes, œ…). Anyone holding the code can check the
attestation at ``citizen:attestation-verify``, which shows the procedure, the decision and
its date, never the file.
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from civiquest.core.transactions import atomic
from civiquest.instruction.models import Attestation
from civiquest.quests.models import Quest, QuestState

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PLACEHOLDERS = ("procedure", "citizen", "reference", "decision", "date", "service", "code")
LATIN1_FALLBACKS = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "œ": "oe", "Œ": "OE", "\u202f": " "}
)


def default_template() -> str:
    return _(
        "Le service {service} atteste que la demande « {procedure} » (dossier {reference}) "
        "déposée par {citizen} a été acceptée le {date}.\n\n"
        "Décision : {decision}.\n\n"
        "Code de vérification : {code}"
    )


def attestation_code_new() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(body[index : index + 4] for index in range(0, 12, 4))


def normalize_code(code: str) -> str:
    plain = "".join(char for char in code.upper() if char in CODE_ALPHABET)
    return "-".join(plain[index : index + 4] for index in range(0, len(plain), 4))


def citizen_name(quest: Quest) -> str:
    citizen = quest.citizen
    family = citizen.usage_name or citizen.family_name or citizen.last_name
    given = citizen.given_names or citizen.first_name
    return " ".join(part for part in (given, family) if part) or citizen.email


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_text(template: str, values: dict[str, str]) -> str:
    """The template with its placeholders filled; an unknown one stays as written."""
    formatter = string.Formatter()
    try:
        return formatter.vformat(template, (), _SafeDict(values))
    except (ValueError, IndexError, AttributeError):
        # A stray brace: fill by plain replacement instead.
        text = template
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text


def _latin1(text: str) -> str:
    return text.translate(LATIN1_FALLBACKS).encode("latin-1", "replace").decode("latin-1")


def attestation_pdf(*, title: str, text: str, code: str) -> bytes:
    from fpdf import FPDF  # noqa: PLC0415 - fpdf costs about 0.5 s and 24 MB to import: loaded only when a PDF is made

    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_creator("CiviQuest")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.multi_cell(0, 10, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Helvetica", style="I", size=9)
    pdf.multi_cell(0, 5, _latin1(_("Code de vérification : %(code)s") % {"code": code}), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@atomic
def attestation_issue(*, quest: Quest, is_locked: bool = False) -> Attestation:
    """The attestation of an accepted quest, made once (a reopened then re-accepted quest keeps it).

    ``is_locked``: ``quest`` is the instance its caller locked in this transaction, with its
    procedure, service and citizen loaded; it is not read again.
    """
    locked = (
        quest
        if is_locked
        else Quest.objects.select_for_update(of=("self",))
        .select_related("procedure", "procedure__instructing_service", "citizen")
        .get(pk=quest.pk)
    )
    existing = Attestation.objects.filter(quest=locked).first()
    if existing is not None:
        return existing
    if locked.state != QuestState.ACCEPTED:
        raise ValueError("only an accepted quest has an attestation")
    decided_at = locked.decided_at or timezone.now()
    service = locked.procedure.instructing_service
    values = {
        "procedure": locked.procedure.title,
        "citizen": citizen_name(locked),
        "reference": locked.reference,
        "decision": _("demande acceptée"),
        "date": formats.date_format(timezone.localtime(decided_at), "DATE_FORMAT"),
        "service": service.name if service is not None else "",
    }
    for _attempt in range(5):
        code = attestation_code_new()
        if not Attestation.objects.filter(code=code).exists():
            break
    values["code"] = code
    template = locked.procedure.attestation_template.strip() or default_template()
    title = _("Attestation — %(procedure)s") % {"procedure": locked.procedure.title}
    data = attestation_pdf(title=title, text=render_text(template, values), code=code)
    attestation = Attestation(
        quest=locked,
        code=code,
        citizen_name=values["citizen"][:400],
        procedure_title=locked.procedure.title[:200],
        service_name=values["service"][:200],
        decided_at=decided_at,
    )
    attestation.file.save(f"attestations/{locked.pk}/{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    stored = attestation.file.name
    try:
        with atomic():
            attestation.save()
    except BaseException:
        attestation.file.storage.delete(stored)
        raise
    return attestation


def attestation_verify(*, code: str) -> Attestation | None:
    return Attestation.objects.filter(code=normalize_code(code)).first() if code.strip() else None


def attestation_of(*, quest: Quest) -> Attestation | None:
    return Attestation.objects.filter(quest=quest).first()


def placeholders_help() -> dict[str, Any]:
    return {name: "{" + name + "}" for name in PLACEHOLDERS}
