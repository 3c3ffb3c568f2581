import csv
import io

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from civiquest.instruction import export_files, exports
from civiquest.instruction import services as instruction
from civiquest.instruction.inbox import InboxFilters
from civiquest.quests.models import Answer, QuestDocument, QuestState
from tests.catalogue.factories import INSTRUCTED_ANSWERS, ServiceFactory, published
from tests.instruction.helpers import submitted_quest
from tests.instruction.test_inbox import many_quests

ALL = InboxFilters(state="all")


def read_back(export_format: str, data: bytes) -> list[list[str]]:
    """The file read with the project's own readers: the csv module, openpyxl, tablib (odfpy)."""
    if export_format == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    if export_format == "xlsx":
        sheet = load_workbook(io.BytesIO(data)).active
        return [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    dataset = tablib.Dataset().load(data, format="ods")
    return [list(dataset.headers), *(["" if value is None else str(value) for value in row] for row in dataset)]


def export(agent, filters=ALL, columns=("reference",), export_format="csv") -> list[list[str]]:
    rows = exports.export_rows(agent=agent, filters=filters, columns=columns)
    return read_back(export_format, export_files.as_bytes(export_format, rows))


def as_records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_csv_has_the_chosen_columns_and_defuses_formulas(passport, instructor, mairie):
    quest = submitted_quest(passport)
    quest.citizen.first_name, quest.citizen.last_name = "", "=HYPERLINK()"
    quest.citizen.save()
    instruction.quest_take(quest=quest, actor=instructor)
    rows = export(instructor, columns=["reference", "citizen", "assignee", "nope"])
    assert rows[0] == ["Numéro de dossier", "Usager", "Agent en charge"]
    assert rows[1][0] == quest.reference
    assert rows[1][1] == "'=HYPERLINK()"
    assert len(rows) == 2


@pytest.mark.parametrize("export_format", ["csv", "xlsx", "ods"])
def test_an_export_of_a_procedure_has_every_answer_in_its_column(passport, instructor, settings, export_format):
    settings.CIVIQUEST_PUBLIC_URL = "https://civiquest.example"
    quest = submitted_quest(passport)
    Answer.objects.filter(quest=quest, field_name="nom").update(value="=1+2\x0b")
    documents = {link.input_name: link.document_id for link in QuestDocument.objects.filter(quest=quest)}
    assert set(documents) == {"pieces.id_photo", "pieces.proof_of_address"}
    filters = InboxFilters(state="all", procedure_id=passport.pk)
    rows = export(instructor, filters, columns=["reference", "state"], export_format=export_format)
    assert rows[0] == [
        "Numéro de dossier",
        "État",
        "Nom",
        "Date de naissance",
        "Première demande",
        "Numéro de l’ancien passeport",
        "Motif du renouvellement",
        "Commune de la perte",
        "Numéro de pré-demande",
        "Photo d’identité",
        "Justificatif de domicile",
        "Préparer le rendez-vous",
    ]
    (record,) = as_records(rows)
    link = "https://civiquest.example/agent/dossiers/{}/documents/{}/?telecharger=1"
    assert record == {
        "Numéro de dossier": quest.reference,
        "État": "Déposé",
        "Nom": "'=1+2",  # the formula defused, the control character (refused by XLSX) removed
        "Date de naissance": "17 mai 1990",
        "Première demande": "Oui",
        "Numéro de l’ancien passeport": "",
        "Motif du renouvellement": "",
        "Commune de la perte": "",
        "Numéro de pré-demande": INSTRUCTED_ANSWERS["pre-demande"]["pre-demande.reference"],
        "Photo d’identité": link.format(quest.pk, documents["pieces.id_photo"]),
        "Justificatif de domicile": link.format(quest.pk, documents["pieces.proof_of_address"]),
        "Préparer le rendez-vous": "",
    }


def test_choices_are_written_by_their_labels(passport, instructor):
    quest = submitted_quest(passport)
    Answer.objects.create(quest=quest, field_name="motif", value="perdu")
    Answer.objects.create(quest=quest, field_name="preparer.checklist", value=["0", "1"])
    (record,) = as_records(export(instructor, InboxFilters(state="all", procedure_id=passport.pk)))
    assert record["Motif du renouvellement"] == "Je l’ai perdu"
    assert record["Préparer le rendez-vous"] == "Timbre fiscal acheté, Photo de moins de 6 mois"


def test_the_inbox_filters_are_applied(passport, instructor):
    mine, other, decided = (submitted_quest(passport) for _index in range(3))
    instruction.quest_take(quest=mine, actor=instructor)
    instruction.quest_accept(quest=decided, actor=instructor)

    def references(**filters):
        return {row[0] for row in export(instructor, InboxFilters(**filters))[1:]}

    assert references() == {mine.reference, other.reference}  # the open ones, as the inbox
    assert references(state="all") == {mine.reference, other.reference, decided.reference}
    assert references(state=QuestState.ACCEPTED) == {decided.reference}
    assert references(state="all", mine=True) == {mine.reference}
    assert references(state="all", search=other.reference) == {other.reference}
    assert InboxFilters.from_query({"etat": "all", "q": mine.reference}) == InboxFilters(
        state="all", search=mine.reference
    )


def test_a_quest_of_another_service_never_appears(passport, instructor):
    mine = submitted_quest(passport)
    other, _revision = published(
        [
            {
                "slug": "f",
                "title": "F",
                "kind": "form",
                "fields": [{"name": "secret", "label": "Secret", "kind": "text"}],
            }
        ],
        service=ServiceFactory(),
    )
    (foreign,) = many_quests(other, 1)
    Answer.objects.create(quest=foreign, field_name="secret", value="hidden")
    assert [row[0] for row in export(instructor)[1:]] == [mine.reference]
    # Even asked by id, another service's procedure gives neither its quests nor its fields.
    rows = export(instructor, InboxFilters(state="all", procedure_id=other.pk))
    assert rows == [["Numéro de dossier"]]


def test_an_answer_of_an_older_revision_keeps_its_column(passport, instructor):
    quest = submitted_quest(passport)
    Answer.objects.create(quest=quest, field_name="gone", value="kept")
    columns = exports.answer_columns(procedure_id=passport.pk, service_ids=[passport.instructing_service_id])
    names = [column.spec.name for column in columns]
    assert names[:3] == ["nom", "naissance", "premiere_demande"]
    assert len(names) == len(set(names))


def test_the_queries_do_not_grow_with_the_quests(passport, instructor, mairie, django_assert_max_num_queries):
    filters = InboxFilters(state="all", procedure_id=passport.pk)
    submitted_quest(passport)
    export(instructor, filters)  # the revision's steps are cached once read

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = list(exports.export_rows(agent=instructor, filters=filters, columns=list(exports.COLUMNS)))
        return len(captured.captured_queries), len(rows)

    few, few_rows = queries()
    quests = many_quests(passport, 300)
    Answer.objects.bulk_create(Answer(quest=quest, field_name="nom", value=f"Nom {quest.pk}") for quest in quests)
    many, many_rows = queries()
    assert (few_rows, many_rows) == (2, 302)
    assert few == many
    with django_assert_max_num_queries(8):
        list(exports.export_rows(agent=instructor, filters=filters, columns=list(exports.COLUMNS)))


def test_an_unknown_format_is_refused_with_a_clear_message():
    with pytest.raises(export_files.UnknownExportFormat, match="Format d’export inconnu : pdf"):
        export_files.as_bytes("pdf", iter([["a"]]))
