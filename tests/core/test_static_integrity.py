"""Integrity hashes of the file as served: hashed and rewritten, or the source file when not hashed."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from dsfr.checksums import INTEGRITY_CSS, INTEGRITY_JS_MODULE

from civiquest.core.templatetags.static_integrity import dsfr_scripts, dsfr_stylesheets, sri, static_integrity

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


@pytest.fixture
def own_static(settings, tmp_path) -> Path:
    """A static folder of our own, the only one the finders look in."""
    source = tmp_path / "source"
    (source / "img").mkdir(parents=True)
    (source / "img" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (source / "site.css").write_text('body { background: url("img/logo.svg"); }')
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "root"
    return source


def test_unhashed_files_have_the_integrity_of_their_source():
    # Same bytes as django-dsfr ships: its own hashes hold while nothing rewrites the files.
    assert static_integrity("dsfr/dist/dsfr/dsfr.min.css") == INTEGRITY_CSS
    assert static_integrity("dsfr/dist/dsfr/dsfr.module.min.js") == INTEGRITY_JS_MODULE


def test_hashed_files_have_the_integrity_of_the_rewritten_file(settings, own_static):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    call_command("collectstatic", interactive=False, verbosity=0)
    served = next((settings.STATIC_ROOT).glob("site.*.css"))
    assert "logo." in served.read_text() and "img/logo.svg" not in served.read_text()  # url() rewritten
    assert static_integrity("site.css") == sri(served.read_bytes())
    assert static_integrity("site.css") != sri((own_static / "site.css").read_bytes())


def test_an_edited_unhashed_file_gets_a_new_integrity(own_static):
    before = static_integrity("site.css")
    css = own_static / "site.css"
    css.write_text("body { color: red; }")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert static_integrity("site.css") == sri(b"body { color: red; }") != before


def test_a_file_neither_collected_nor_found_is_an_error(own_static):
    with pytest.raises(ValueError, match="absent.css"):
        static_integrity("absent.css")


def test_the_design_system_tags_keep_django_dsfr_markup():
    html = str(dsfr_stylesheets())
    assert f'<link rel="stylesheet" href="/static/dsfr/dist/dsfr/dsfr.min.css" integrity="{INTEGRITY_CSS}">' in html
    assert 'href="/static/css/dsfr-django-overrides.css">' in html
    assert '<meta name="theme-color" content="#000091">' in html
    assert "crossorigin" not in html  # same origin: no CORS mode needed
    scripts = str(dsfr_scripts(nonce="n0nce"))
    assert scripts.count(' nonce="n0nce"') == 2 and scripts.count("integrity=") == 2
    assert '<script type="module" src="/static/dsfr/dist/dsfr/dsfr.module.min.js"' in scripts
    assert "<script nomodule " in scripts
    assert "nonce" not in str(dsfr_scripts(nonce=""))


def test_the_nonce_comes_from_the_request_when_there_is_one(rf):
    template = Template("{% load static_integrity %}{% dsfr_scripts nonce=request.csp_nonce %}")
    request = rf.get("/")
    assert "nonce" not in template.render(Context({"request": request}))
    request.csp_nonce = "abc"
    assert template.render(Context({"request": request})).count('nonce="abc"') == 2


def test_integrity_checks_can_be_switched_off(settings):
    settings.DSFR_USE_INTEGRITY_CHECKSUMS = False
    assert "integrity" not in str(dsfr_stylesheets()) + str(dsfr_scripts())


def test_files_from_another_origin_are_fetched_in_cors_mode(settings):
    settings.STATIC_URL = "https://static.example/civiquest/"
    html = str(dsfr_stylesheets())
    assert 'href="https://static.example/civiquest/dsfr/dist/dsfr/dsfr.min.css"' in html
    assert html.count('crossorigin="anonymous"') == 2
