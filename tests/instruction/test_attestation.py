import re
import zlib

import pytest

from civiquest.catalogue.models import Procedure
from civiquest.instruction import attestation
from civiquest.instruction import services as instruction
from civiquest.instruction.models import Attestation
from tests.instruction.helpers import submitted_quest


def page_text(pdf: bytes) -> bytes:
    """The decompressed content streams of a PDF (fpdf2 deflates them)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    out = b""
    for stream in streams:
        try:
            out += zlib.decompress(stream)
        except zlib.error:
            out += stream
    return out


def test_placeholders_are_filled_and_unknown_ones_kept():
    text = attestation.render_text("{citizen} — {procedure} — {inconnu} — {", {"citizen": "A", "procedure": "P"})
    assert text == "A — P — {inconnu} — {"


def test_codes_are_normalized_for_verification():
    assert attestation.normalize_code(" 7kx3 m9qd-2b4f ") == "7KX3-M9QD-2B4F"


def test_the_pdf_holds_the_procedures_template_with_latin1_fallbacks(passport, instructor):
    Procedure.objects.filter(pk=passport.pk).update(
        attestation_template="Attestation pour {citizen} : « {procedure} », l’œuvre de {service}. Code {code}."
    )
    quest = submitted_quest(passport)
    quest.citizen.first_name, quest.citizen.last_name = "Zoé", "Wéa"
    quest.citizen.save()
    instruction.quest_accept(quest=quest, actor=instructor)
    issued = Attestation.objects.get(quest=quest)
    assert issued.citizen_name == "Zoé Wéa"
    assert issued.service_name == "Mairie de Nouméa"
    data = issued.file.read()
    assert data.startswith(b"%PDF")
    text = page_text(data)
    assert "Zo\xe9 W\xe9a".encode("latin-1") in text
    assert b"l'oeuvre" in text  # typographic apostrophe and ligature in Latin-1
    assert "Mairie de Noum\xe9a".encode("latin-1") in text
    assert issued.code.encode() in text


def test_only_an_accepted_quest_gets_one(passport):
    quest = submitted_quest(passport)
    with pytest.raises(ValueError):
        attestation.attestation_issue(quest=quest)


def test_the_default_template_names_everything():
    text = attestation.default_template()
    for name in ("procedure", "citizen", "reference", "date", "service", "code", "decision"):
        assert "{" + name + "}" in text
