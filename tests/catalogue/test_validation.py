import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from civiquest.catalogue.checks import revision_problems
from civiquest.catalogue.cleaning import clean_value, iban_is_valid, is_empty, siret_is_valid
from civiquest.catalogue.conditions import condition_met, visibility, visible_fields, visible_steps
from civiquest.catalogue.inputs import InputInvalid, InputSpec, step_inputs
from civiquest.catalogue.models import FieldKind, StepKind
from tests.catalogue.factories import INSTRUCTED_STEPS, RevisionFactory, ServiceFactory, add_steps

CHOICES = (("a", "Choix A"), ("b", "Choix B"), ("c", "Choix C"))


def spec(kind, **kwargs):
    return InputSpec(name="champ", label=kwargs.pop("label", "Mon champ"), kind=kind, **kwargs)


def refused(kind, raw, **kwargs) -> str:
    with pytest.raises(InputInvalid) as error:
        clean_value(spec(kind, **kwargs), raw)
    return error.value.message


# (kind, spec options, raw value, cleaned value)
GOOD = [
    (FieldKind.TEXT, {}, "  Jean   Dupont ", "Jean Dupont"),
    (FieldKind.TEXT, {"min_length": 2, "max_length": 5}, "abcde", "abcde"),
    (FieldKind.TEXT, {"pattern": r"[0-9]{2}[A-Z]{2}[0-9]{5}"}, "12AB34567", "12AB34567"),
    (FieldKind.LONG_TEXT, {}, " ligne 1\r\nligne 2 ", "ligne 1\nligne 2"),
    (FieldKind.NUMBER, {}, "42", 42),
    (FieldKind.NUMBER, {}, "1 200", 1200),
    (FieldKind.NUMBER, {"min_value": Decimal(0), "max_value": Decimal(10)}, 10, 10),
    (FieldKind.NUMBER, {"decimal_places": 2}, "12,5", "12.50"),
    (FieldKind.NUMBER, {"decimal_places": 2}, "-3.25", "-3.25"),
    (FieldKind.DATE, {}, "1990-05-17", "1990-05-17"),
    (FieldKind.DATE, {}, "17/05/1990", "1990-05-17"),
    (FieldKind.DATE, {"min_date": "2020-01-01", "max_date": "2020-12-31"}, "2020-06-30", "2020-06-30"),
    (FieldKind.EMAIL, {}, " Camille.Martin@Example.FR ", "Camille.Martin@example.fr"),
    (FieldKind.PHONE, {}, "06 12 34 56 78", "+33612345678"),
    (FieldKind.PHONE, {}, "01.23.45.67.89", "+33123456789"),
    (FieldKind.PHONE, {}, "+33 6 12 34 56 78", "+33612345678"),
    (FieldKind.PHONE, {}, "+33 (0)6 12 34 56 78", "+33612345678"),
    (FieldKind.PHONE, {}, "0262 12 34 56", "+33262123456"),
    (FieldKind.PHONE, {}, "+687 12 34 56", "+687123456"),
    (FieldKind.PHONE, {}, "0044 20 7946 0958", "+442079460958"),
    (FieldKind.YES_NO, {}, "oui", True),
    (FieldKind.YES_NO, {}, "non", False),
    (FieldKind.YES_NO, {}, False, False),
    (FieldKind.YES_NO, {}, "true", True),
    (FieldKind.SINGLE_CHOICE, {"choices": CHOICES}, "b", "b"),
    (FieldKind.MULTIPLE_CHOICE, {"choices": CHOICES}, ["c", "a", "c"], ["a", "c"]),
    (FieldKind.MULTIPLE_CHOICE, {"choices": CHOICES}, "b", ["b"]),
    (FieldKind.MULTIPLE_CHOICE, {"choices": CHOICES, "min_length": 1, "max_length": 2}, ["a", "b"], ["a", "b"]),
    (FieldKind.ADDRESS, {}, "12  rue de la Paix\n75002 Paris", "12 rue de la Paix 75002 Paris"),
    (FieldKind.COMMUNE, {}, "75056", "75056"),
    (FieldKind.COMMUNE, {}, "2a004", "2A004"),
    (FieldKind.COMMUNE, {}, "98818", "98818"),
    (FieldKind.IBAN, {}, "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
    (FieldKind.IBAN, {}, "fr7630006000011234567890189", "FR7630006000011234567890189"),
    (FieldKind.IBAN, {}, "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    (FieldKind.IBAN, {}, "GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
    (FieldKind.SIRET, {}, "732 829 320 00074", "73282932000074"),
    (FieldKind.SIRET, {}, "35600000000048", "35600000000048"),  # La Poste, siège: Luhn holds
    (FieldKind.SIRET, {}, "35600000049837", "35600000049837"),  # La Poste establishment: sum % 5
    (FieldKind.DOCUMENT, {}, 12, 12),
    (FieldKind.DOCUMENT, {}, "12", 12),
]


@pytest.mark.parametrize(("kind", "options", "raw", "expected"), GOOD)
def test_accepts_and_normalizes(kind, options, raw, expected):
    assert clean_value(spec(kind, **options), raw) == expected


@pytest.mark.parametrize(("kind", "options", "raw", "expected"), GOOD)
def test_cleaning_a_clean_value_changes_nothing(kind, options, raw, expected):
    # Stored answers are checked again at submission: they must clean to themselves.
    assert clean_value(spec(kind, **options), expected) == expected


# (kind, spec options, raw value, words of the error)
BAD = [
    (FieldKind.TEXT, {"min_length": 3}, "ab", "au moins 3 caractères"),
    (FieldKind.TEXT, {"min_length": 1, "max_length": 1}, "ab", "au plus 1 caractère."),
    (FieldKind.TEXT, {}, "x" * 501, "au plus 500 caractères"),
    (FieldKind.TEXT, {"pattern": r"[0-9]{2}[A-Z]{2}[0-9]{5}"}, "12AB3456", "format attendu"),
    (FieldKind.TEXT, {}, ["liste"], "format attendu"),
    (FieldKind.LONG_TEXT, {"max_length": 10}, "x" * 11, "au plus 10 caractères"),
    (FieldKind.NUMBER, {}, "douze", "doit être un nombre"),
    (FieldKind.NUMBER, {}, True, "doit être un nombre"),
    (FieldKind.NUMBER, {}, "1e5", "doit être un nombre"),
    (FieldKind.NUMBER, {}, "12,5", "nombre entier"),
    (FieldKind.NUMBER, {"decimal_places": 1}, "1,25", "au plus 1 décimale"),
    (FieldKind.NUMBER, {"min_value": Decimal(18)}, "17", "supérieur ou égal à 18"),
    (FieldKind.NUMBER, {"max_value": Decimal("99.5"), "decimal_places": 1}, "100", "inférieur ou égal à 99,5"),
    (FieldKind.DATE, {}, "1990-02-30", "JJ/MM/AAAA"),
    (FieldKind.DATE, {}, "hier", "JJ/MM/AAAA"),
    (FieldKind.DATE, {}, "30/02/1990", "JJ/MM/AAAA"),
    (FieldKind.DATE, {"min_date": "2020-01-01"}, "2019-12-31", "le 01/01/2020 ou après"),
    (FieldKind.DATE, {"max_date": "2020-12-31"}, "2021-01-01", "le 31/12/2020 ou avant"),
    (FieldKind.EMAIL, {}, "camille@", "adresse électronique"),
    (FieldKind.EMAIL, {}, "camille.example.fr", "adresse électronique"),
    (FieldKind.PHONE, {}, "06 12 34 56", "numéro de téléphone"),
    (FieldKind.PHONE, {}, "+06 12 34 56 78", "numéro de téléphone"),
    (FieldKind.PHONE, {}, "+33 6 12 34 56", "numéro de téléphone"),
    (FieldKind.PHONE, {}, "téléphone", "numéro de téléphone"),
    (FieldKind.YES_NO, {}, "peut-être", "oui ou par non"),
    (FieldKind.YES_NO, {}, 1, "oui ou par non"),
    (FieldKind.SINGLE_CHOICE, {"choices": CHOICES}, "z", "une des réponses proposées"),
    (FieldKind.SINGLE_CHOICE, {"choices": CHOICES}, ["a"], "une des réponses proposées"),
    (FieldKind.MULTIPLE_CHOICE, {"choices": CHOICES}, ["a", "z"], "parmi les réponses proposées"),
    (FieldKind.MULTIPLE_CHOICE, {"choices": CHOICES, "min_length": 2}, ["a"], "au moins 2 cases"),
    (FieldKind.MULTIPLE_CHOICE, {"choices": CHOICES, "max_length": 1}, ["a", "b"], "au plus 1 case."),
    (FieldKind.ADDRESS, {}, "ici", "adresse complète"),
    (FieldKind.COMMUNE, {}, "7505", "code commune INSEE"),
    (FieldKind.COMMUNE, {}, "2C004", "code commune INSEE"),
    (FieldKind.IBAN, {}, "FR7630006000011234567890188", "IBAN valide"),  # checksum
    (FieldKind.IBAN, {}, "FR763000600001123456789018", "IBAN valide"),  # length for France
    (FieldKind.IBAN, {}, "ZZ7630006000011234567890189", "IBAN valide"),  # no such country
    (FieldKind.IBAN, {}, "FR76-3000-6000-0112-3456-7890-18X", "IBAN valide"),
    (FieldKind.SIRET, {}, "73282932000075", "SIRET valide"),  # Luhn
    (FieldKind.SIRET, {}, "7328293200007", "SIRET valide"),  # 13 digits
    (FieldKind.SIRET, {}, "7328293200007A", "SIRET valide"),
    (FieldKind.SIRET, {}, "35600000049838", "SIRET valide"),  # La Poste, sum not divisible by 5
    (FieldKind.DOCUMENT, {}, 0, "choisissez un document"),
    (FieldKind.DOCUMENT, {}, "-3", "choisissez un document"),
    (FieldKind.DOCUMENT, {}, True, "choisissez un document"),
]


@pytest.mark.parametrize(("kind", "options", "raw", "words"), BAD)
def test_refuses_with_a_french_message_naming_the_field(kind, options, raw, words):
    message = refused(kind, raw, **options)
    assert message.startswith("« Mon champ »")
    assert words in message


def test_every_field_kind_has_good_and_bad_cases():
    assert {case[0] for case in GOOD} == set(FieldKind) == {case[0] for case in BAD}


def test_date_bounds_relative_to_today():
    today = timezone.localdate()
    past_only = {"max_date": "today"}
    assert clean_value(spec(FieldKind.DATE, **past_only), today.isoformat()) == today.isoformat()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert "ou avant" in refused(FieldKind.DATE, tomorrow, **past_only)
    in_a_month = {"min_date": "today+30"}
    assert "ou après" in refused(FieldKind.DATE, tomorrow, **in_a_month)


def test_checksum_helpers_on_real_numbers():
    assert iban_is_valid("FR7630006000011234567890189")
    assert not iban_is_valid("FR7630006000011234567890198")
    assert siret_is_valid("73282932000074")
    assert not siret_is_valid("73282932000047")
    # La Poste's SIREN: the digit sum rule, not Luhn.
    assert siret_is_valid("35600000010000")
    assert not siret_is_valid("35600000010001")


def test_messages_are_translated():
    with translation.override("fr"):
        assert refused(FieldKind.EMAIL, "x") == (
            "« Mon champ » doit être une adresse électronique, comme nom@exemple.fr."
        )


@pytest.mark.parametrize(
    ("raw", "empty"), [(None, True), ("  ", True), ([], True), ([""], True), (False, False), (0, False)]
)
def test_what_counts_as_no_answer(raw, empty):
    assert is_empty(raw) is empty


# --- Conditions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "answers", "shown"),
    [
        (None, {}, True),
        ({"field": "x", "op": "eq", "value": "a"}, {"x": "a"}, True),
        ({"field": "x", "op": "eq", "value": "a"}, {"x": "b"}, False),
        ({"field": "x", "op": "eq", "value": "a"}, {}, False),
        ({"field": "x", "op": "eq", "value": False}, {"x": False}, True),
        ({"field": "x", "op": "eq", "value": False}, {"x": 0}, False),
        ({"field": "x", "op": "eq", "value": 1}, {"x": True}, False),
        ({"field": "x", "op": "in", "value": ["a", "b"]}, {"x": "b"}, True),
        ({"field": "x", "op": "in", "value": ["a", "b"]}, {"x": "c"}, False),
        ({"field": "x", "op": "not_in", "value": ["a", "b"]}, {"x": "c"}, True),
        ({"field": "x", "op": "not_in", "value": ["a", "b"]}, {"x": "a"}, False),
        # An unanswered (or hidden) field matches nothing, not even "not_in".
        ({"field": "x", "op": "not_in", "value": ["a"]}, {}, False),
        # Multiple choice: "eq" means contains, "in"/"not_in" look at every choice.
        ({"field": "x", "op": "eq", "value": "b"}, {"x": ["a", "b"]}, True),
        ({"field": "x", "op": "in", "value": ["c", "b"]}, {"x": ["a", "b"]}, True),
        ({"field": "x", "op": "not_in", "value": ["c"]}, {"x": ["a", "b"]}, True),
        ({"field": "x", "op": "not_in", "value": ["b"]}, {"x": ["a", "b"]}, False),
        # A list of conditions: all of them.
        (
            [{"field": "x", "op": "eq", "value": "a"}, {"field": "y", "op": "eq", "value": True}],
            {"x": "a", "y": True},
            True,
        ),
        ([{"field": "x", "op": "eq", "value": "a"}, {"field": "y", "op": "eq", "value": True}], {"x": "a"}, False),
        ({"field": "x", "op": "gt", "value": 1}, {"x": 2}, False),
    ],
)
def test_condition_met(condition, answers, shown):
    assert condition_met(condition, answers) is shown


@pytest.fixture
def revision(db):
    service = ServiceFactory()
    revision = RevisionFactory(procedure__instructing_service=service)
    add_steps(revision, INSTRUCTED_STEPS)
    return revision


class TestVisibility:
    def test_a_first_request_hides_the_renewal_questions(self, revision):
        answers = {"premiere_demande": True}
        assert [step.slug for step in visible_steps(revision, answers)] == [
            "avant-de-commencer",
            "identite",
            "pre-demande",
            "pieces",
            "preparer",
            "instruction",
        ]
        identity = revision.steps.get(slug="identite")
        assert [field.name for field in visible_fields(identity, answers)] == ["nom", "naissance", "premiere_demande"]

    def test_a_renewal_shows_them(self, revision):
        answers = {"premiere_demande": False, "motif": "perdu"}
        slugs = [step.slug for step in visible_steps(revision, answers)]
        assert "perte" in slugs
        identity = revision.steps.get(slug="identite")
        assert "ancien_numero" in [field.name for field in visible_fields(identity, answers)]
        loss = revision.steps.get(slug="perte")
        assert [field.name for field in visible_fields(loss, answers)] == ["motif", "commune_perte"]
        assert [field.name for field in visible_fields(loss, {**answers, "motif": "expire"})] == ["motif"]

    def test_hiding_is_transitive(self, revision):
        # "commune_perte" depends on "motif", in a step hidden for a first request: both go.
        answers = {"premiere_demande": True, "motif": "vole", "commune_perte": "75056"}
        seen = visibility(revision, answers)
        assert "motif" not in seen.answers and "commune_perte" not in seen.answers
        assert visible_fields(revision.steps.get(slug="perte"), answers) == []

    def test_steps_without_fields_have_their_own_inputs(self, revision):
        names = {step.slug: [spec.name for spec in step_inputs(step)] for step in revision.steps.all()}
        assert names["pre-demande"] == ["pre-demande.reference"]
        assert names["pieces"] == ["pieces.id_photo", "pieces.proof_of_address"]
        assert names["preparer"] == ["preparer.checklist"]
        assert names["avant-de-commencer"] == names["instruction"] == []
        reference = step_inputs(revision.steps.get(slug="pre-demande"))[0]
        assert reference.label == "Numéro de pré-demande"
        assert "format attendu" in refused(FieldKind.TEXT, "abc", pattern=reference.pattern)

    def test_a_required_checklist_needs_every_item_ticked(self, revision):
        checklist = revision.steps.get(slug="preparer")
        checklist.required = True
        checklist.save()
        tick = step_inputs(checklist)[0]
        assert clean_value(tick, ["1", "0"]) == ["0", "1"]
        with pytest.raises(InputInvalid, match="au moins 2 cases"):
            clean_value(tick, ["0"])


class TestRevisionProblems:
    def test_a_sound_revision_has_none(self, revision):
        assert revision_problems(revision) == []

    def test_an_empty_revision_cannot_be_published(self, db):
        assert revision_problems(RevisionFactory()) == ["La révision n’a aucune étape."]

    @pytest.mark.parametrize(
        ("steps", "words"),
        [
            ([{"slug": "f", "title": "F", "kind": StepKind.FORM}], "au moins un champ"),
            (
                [
                    {
                        "slug": "i",
                        "title": "I",
                        "kind": StepKind.INFO,
                        "fields": [{"name": "a", "label": "A", "kind": "text"}],
                    }
                ],
                "seuls les formulaires",
            ),
            ([{"slug": "o", "title": "O", "kind": StepKind.OUTSIDE_SERVICE}], "adresse du site officiel"),
            ([{"slug": "c", "title": "C", "kind": StepKind.CHECKLIST}], "liste de vérification est vide"),
            (
                [{"slug": "d", "title": "D", "kind": StepKind.DOCUMENTS, "document_types": ["selfie"]}],
                "pièces demandées",
            ),
            ([{"slug": "r", "title": "R", "kind": StepKind.AGENT_REVIEW}], "service instructeur"),
            (
                [
                    {
                        "slug": "f",
                        "title": "F",
                        "kind": "form",
                        "fields": [{"name": "a", "label": "A", "kind": "text", "pattern": "(["}],
                    }
                ],
                "expression régulière",
            ),
            (
                [
                    {
                        "slug": "f",
                        "title": "F",
                        "kind": "form",
                        "fields": [{"name": "a", "label": "A", "kind": "single_choice"}],
                    }
                ],
                "il faut des choix",
            ),
            (
                [
                    {
                        "slug": "f",
                        "title": "F",
                        "kind": "form",
                        "fields": [{"name": "a", "label": "A", "kind": "text", "min_length": 5, "max_length": 2}],
                    }
                ],
                "le minimum dépasse le maximum",
            ),
            (
                [
                    {
                        "slug": "f",
                        "title": "F",
                        "kind": "form",
                        "fields": [
                            {
                                "name": "a",
                                "label": "A",
                                "kind": "text",
                                "condition": {"field": "b", "op": "eq", "value": 1},
                            },
                            {"name": "b", "label": "B", "kind": "text"},
                        ],
                    }
                ],
                "n’est pas un champ placé avant",
            ),
            (
                [
                    {
                        "slug": "f",
                        "title": "F",
                        "kind": "form",
                        "fields": [{"name": "a", "label": "A", "kind": "text"}],
                    },
                    {"slug": "g", "title": "G", "kind": "info", "condition": {"field": "a", "op": "in", "value": "x"}},
                ],
                "attendent une liste",
            ),
            (
                [
                    {
                        "slug": "f",
                        "title": "F",
                        "kind": "form",
                        "fields": [{"name": "a", "label": "A", "kind": "text"}],
                    },
                    {"slug": "g", "title": "G", "kind": "info", "condition": {"field": "a", "op": "gt", "value": 1}},
                ],
                "opérateur",
            ),
            (
                [{"slug": "g", "title": "G", "kind": "info", "condition": {"field": "a"}}],
                "« field », « op » et « value »",
            ),
        ],
    )
    def test_finds(self, db, steps, words):
        revision = RevisionFactory()
        add_steps(revision, steps)
        problems = revision_problems(revision)
        assert any(words in problem for problem in problems), problems
