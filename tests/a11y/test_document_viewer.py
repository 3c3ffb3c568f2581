"""A citizen's PDF carrying JavaScript runs nothing in the agent's browser (issue 15, point 3).

The citizen uploads, through the real form, a PDF whose opening action, page action and link
run JavaScript: an alert, a form submission and a URL launch towards a beacon on loopback, and
a fetch to the live server's own origin. The agent's instruction page draws it with pdf.js into
a canvas (not blank), and nothing of it runs: no dialog, no request to either beacon. Opened
directly, the file is downloaded, never opened: chromium's own PDF viewer does run a PDF's
JavaScript (its alert showed when the response was inline, even with ``CSP: sandbox``).
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from civiquest.documents.models import Document
from civiquest.quests.models import QuestDocument
from tests.a11y.test_axe import assert_no_violations
from tests.instruction.helpers import submitted_quest
from tests.quests.fixtures import instructor, mairie, passport  # noqa: F401 - fixtures

pytestmark = [pytest.mark.a11y, pytest.mark.django_db(transaction=True)]

SAME_ORIGIN_BEACON = "/beacon-from-the-pdf/"


def pdf_with_javascript(beacon: str, same_origin_beacon: str) -> bytes:
    """A one-page PDF (a black square) whose open action, page action and link run JavaScript."""
    script = (
        f'app.alert("pdf script ran"); this.submitForm("{beacon}/submit"); '
        f'app.launchURL("{beacon}/launch", true); '
        f'try {{ fetch("{same_origin_beacon}"); }} catch (e) {{}} '
        f'try {{ document.title = "pwned"; }} catch (e) {{}}'
    )
    literal = script.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = b"0 0 0 rg 50 50 200 200 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R /Names << /JavaScript 7 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Contents 5 0 R /AA << /O 4 0 R >> /Annots [6 0 R] >>",
        b"<< /Type /Action /S /JavaScript /JS (" + literal.encode() + b") >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 300 300] /Border [0 0 0] /A 4 0 R >>",
        b"<< /Names [(open) 4 0 R] >>",
    ]
    output = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(output)
    output += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    output += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    output += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(output)


class Beacon:
    """An HTTP server on loopback that counts every request it gets."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_GET = do_POST = _any  # noqa: N815 - http.server's names

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def beacon():
    server = Beacon()
    yield server
    server.close()


def watch(context, requests: list[str], dialogs: list[str]) -> None:
    context.on("request", lambda request: requests.append(request.url))
    context.on(
        "page", lambda page: page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    )


def test_a_pdf_with_javascript_is_drawn_and_runs_nothing(
    browser_page_as,
    live_server,
    passport,  # noqa: F811 - the imported fixture
    instructor,  # noqa: F811 - the imported fixture
    beacon,
    tmp_path: Path,
):
    # The citizen uploads the PDF through the wallet's form.
    quest = submitted_quest(passport)
    citizen = quest.citizen
    page = browser_page_as(citizen)
    path = tmp_path / "avis.pdf"
    path.write_bytes(pdf_with_javascript(beacon.url, live_server.url + SAME_ORIGIN_BEACON))
    page.goto(live_server.url + reverse("citizen:document-upload"))
    page.locator("#id_type").select_option("other")
    page.locator("#id_title").fill("Avis piégé")
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name="Ajouter le document").click()
    page.wait_for_url("**/mon-espace/documents/")
    malicious = Document.objects.get(owner=citizen, title="Avis piégé")
    assert malicious.content_type == "application/pdf"
    # It stands for the document the quest was given with (a PDF).
    given = QuestDocument.objects.filter(quest=quest, document__content_type="application/pdf").first()
    QuestDocument.objects.filter(pk=given.pk).update(document=malicious)
    page.context.close()

    # The agent reads the quest: the PDF is drawn into a canvas, and nothing in it runs.
    desk = browser_page_as(instructor)
    requests: list[str] = []
    dialogs: list[str] = []
    watch(desk.context, requests, dialogs)
    desk.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    document_url = reverse("agent:quest-document", args=[quest.pk, malicious.pk])
    desk.goto(live_server.url + reverse("agent:quest", args=[quest.pk]))
    title = desk.title()
    viewer = desk.locator(f'[data-pdf-viewer][data-pdf-url="{document_url}"]')
    viewer.scroll_into_view_if_needed()
    viewer.locator("[data-pdf-canvas]").wait_for(state="visible")
    desk.wait_for_function(
        "url => document.querySelector(`[data-pdf-viewer][data-pdf-url='${url}']`).dataset.renderedPage === '1'",
        arg=document_url,
    )
    dark = viewer.locator("[data-pdf-canvas]").evaluate(
        """canvas => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let dark = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i] < 50 && data[i + 3] > 200) dark++;
            return dark / (data.length / 4);
        }"""
    )
    assert dark > 0.2  # the black square, about 44 % of the page
    assert viewer.get_by_text("Page 1 sur 1").count() == 1
    canvas_name = viewer.locator("[data-pdf-canvas]").get_attribute("aria-label")
    assert canvas_name == "Document Avis piégé, page 1 sur 1"
    # Clicking the link annotation's area does nothing either.
    viewer.locator("[data-pdf-canvas]").click()
    assert_no_violations(desk)
    desk.wait_for_timeout(1000)
    assert desk.title() == title
    assert dialogs == []
    assert beacon.hits == []
    assert not [url for url in requests if SAME_ORIGIN_BEACON in url or url.startswith(beacon.url)]
    assert any(url.endswith(document_url) for url in requests)  # pdf.js did fetch the file

    # Opened directly, the file is saved, not opened: chromium's own PDF viewer would run its
    # JavaScript (an inline response did show the alert, CSP sandbox or not).
    with desk.expect_download() as download:
        with contextlib.suppress(PlaywrightError):  # "Download is starting": no page to load
            desk.goto(live_server.url + document_url)
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    desk.wait_for_timeout(1500)
    assert dialogs == []
    assert beacon.hits == []
    assert not [url for url in requests if SAME_ORIGIN_BEACON in url]
