import csv
import io

from openpyxl import load_workbook

from civiquest.instruction import exports
from civiquest.instruction import services as instruction
from tests.catalogue.factories import ServiceFactory, published
from tests.instruction.helpers import submitted_quest
from tests.instruction.test_inbox import many_quests


def test_csv_has_the_chosen_columns_and_defuses_formulas(passport, instructor, mairie):
    quest = submitted_quest(passport)
    quest.citizen.first_name, quest.citizen.last_name = "", "=HYPERLINK()"
    quest.citizen.save()
    instruction.quest_take(quest=quest, actor=instructor)
    data = exports.export_csv(agent=instructor, columns=["reference", "citizen", "assignee", "nope"])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Numéro de dossier", "Usager", "Agent en charge"]
    assert rows[1][0] == quest.reference
    assert rows[1][1] == "'=HYPERLINK()"
    assert len(rows) == 2


def test_exports_are_limited_to_the_agents_services_and_bounded(passport, instructor, django_assert_max_num_queries):
    other, _revision = published([{"slug": "a", "title": "A", "kind": "info"}], service=ServiceFactory())
    many_quests(other, 5)
    many_quests(passport, 400)
    with django_assert_max_num_queries(6):
        data = exports.export_xlsx(agent=instructor, columns=list(exports.COLUMNS))
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 401
    assert {row[1] for row in rows[1:]} == {passport.title}
