"""Peak memory of a web worker while it refuses each crafted upload (issue 15, point 4).

Starts the real server as ``make demo`` does (gunicorn with ``config/gunicorn.conf.py``, one
worker) on a throwaway SQLite database and private directory, signs a citizen in, then posts
each crafted file through the wallet's upload form over HTTP, and samples the worker's
resident memory every 5 ms (psutil) from just before the request until the answer. Prints,
for each file, the status, the form's message and the peak above the worker's idle memory;
also a legitimate 12 Mpx phone photo, the largest kind of picture accepted.

    .venv/bin/python benchmarks/upload_memory.py

Run by hand (not in the suite); figures are kept in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from html import unescape
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.documents.crafted_files import (  # noqa: E402 - after the path
    decompression_bomb_png,
    huge_dimension_jpeg,
    many_pages_pdf,
)

BIN = Path(sys.executable).parent
BOUND_MIB = 64
UPLOAD_PATH = "/mon-espace/documents/ajouter/"
SAMPLE_SECONDS = 0.005


def phone_photo() -> bytes:
    """A 4032 × 3024 JPEG with noise over half of it (about 8 MB), turned by its EXIF orientation."""
    from PIL import Image

    width, height = 4032, 3024
    picture = Image.new("RGB", (width, height), (128, 128, 128))
    rows = height // 2
    picture.paste(Image.frombytes("RGB", (width, rows), os.urandom(width * rows * 3)), (0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    output = io.BytesIO()
    picture.save(output, format="JPEG", quality=95, exif=exif.tobytes())
    return output.getvalue()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def manage(*args: str, env: dict[str, str]) -> str:
    return subprocess.run(  # noqa: S603
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout.decode()


def citizen_session(env: dict[str, str]) -> str:
    code = """
from django.test import Client
from civiquest.accounts.models import Role, User
citizen, _ = User.objects.get_or_create(username="upload-bench", defaults={"role": Role.CITIZEN,
    "first_name": "Camille", "last_name": "Martin"})
client = Client()
client.force_login(citizen)
print(client.cookies["sessionid"].value)
"""
    return manage("shell", "-c", code, env=env).split()[-1]


def worker_of(master: subprocess.Popen[bytes], timeout: float = 30) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = psutil.Process(master.pid).children()
        if children:
            return children[0]
        time.sleep(0.2)
    raise RuntimeError("gunicorn started no worker")


def wait_until_served(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready")


class PeakSampler(threading.Thread):
    """Samples a process's resident memory until stopped; keeps the highest."""

    def __init__(self, process: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.peak = process.memory_info().rss
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> int:
        self.running = False
        self.join()
        return max(self.peak, self.process.memory_info().rss)


def form_message(page: str) -> str:
    found = re.search(r'class="fr-message fr-message--error"[^>]*>(.*?)</p>', page, re.S)
    if found:
        return " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())
    title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", title.group(1))).split()) if title else ""


def post_upload(base: str, session: str, name: str, data: bytes) -> tuple[int, str]:
    with httpx.Client(base_url=base, cookies={"sessionid": session}, timeout=120) as client:
        client.get(UPLOAD_PATH)
        token = client.cookies.get("csrftoken", "")
        response = client.post(
            UPLOAD_PATH,
            data={"csrfmiddlewaretoken": token, "type": "other", "title": name},
            files={"file": (name, data)},
            headers={"Referer": base + UPLOAD_PATH},
        )
        return response.status_code, form_message(response.text) or response.headers.get("location", "")


def post_declared_body(base: str, session: str, declared: int) -> tuple[int, str]:
    """Declares ``declared`` bytes and sends them as fast as the server reads (it should not)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            (
                f"POST {UPLOAD_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: sessionid={session}\r\n"
                f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {declared}\r\n\r\n"
            ).encode()
        )
        connection.settimeout(0.05)
        chunk = b"x" * (1024 * 1024)
        sent = 0
        received = b""
        while sent < declared and b"\r\n\r\n" not in received:
            try:
                connection.sendall(chunk)
                sent += len(chunk)
            except OSError:
                break
            try:
                received += connection.recv(65536)
            except TimeoutError:
                pass
        connection.settimeout(10)
        while b"\r\n\r\n" not in received:
            more = connection.recv(65536)
            if not more:
                break
            received += more
    status = int(received.split()[1]) if received else 0
    return status, f"{sent // (1024 * 1024)} MiB sent before the answer"


def measure(worker: psutil.Process, action: Callable[[], tuple[int, str]]) -> tuple[int, str, float]:
    idle = worker.memory_info().rss
    sampler = PeakSampler(worker)
    sampler.start()
    status, message = action()
    peak = sampler.stop()
    return status, message, (peak - idle) / (1024 * 1024)


def main() -> None:
    files: list[tuple[str, Callable[[], bytes]]] = [
        ("bombe-decompression.png", lambda: decompression_bomb_png(30_000, 30_000)),
        ("dimensions-immenses.jpg", huge_dimension_jpeg),
        ("dix-mille-pages.pdf", lambda: many_pages_pdf(10_000)),
        ("photo-12-mpx.jpg", phone_photo),
    ]
    crafted = [(name, make()) for name, make in files]
    with tempfile.TemporaryDirectory(prefix="upload-bench-") as var:
        port = free_port()
        env = {
            **os.environ,
            "CIVIQUEST_VAR_DIR": var,
            "CIVIQUEST_MANIFEST_STATIC": "1",
            "PORT": str(port),
            "WEB_WORKERS": "1",
            "DEBUG": "0",
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            env.pop(name, None)
        manage("migrate", "--no-input", "--verbosity", "0", env=env)
        manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
        session = citizen_session(env)
        server = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "--config", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_served(base)
            worker = worker_of(server)
            # Warm the upload path once (imports, templates, first connection) with a small file.
            post_upload(base, session, "petit.pdf", many_pages_pdf(1))
            time.sleep(0.5)
            idle = worker.memory_info().rss / 2**20
            print(f"worker {worker.pid}: idle RSS {idle:.1f} MiB\n")  # noqa: T201 - the bench report
            print(f"{'file':28} {'size':>10} {'status':>6} {'peak above idle':>16}  answer")  # noqa: T201
            rows = []
            for name, data in crafted:
                status, message, peak = measure(worker, lambda n=name, d=data: post_upload(base, session, n, d))
                rows.append((name, len(data), status, peak, message))
            declared = 200 * 1024 * 1024
            status, message, peak = measure(worker, lambda: post_declared_body(base, session, declared))
            rows.append(("corps-de-200-Mio", declared, status, peak, message))
            for name, size, status, peak, message in rows:
                flag = "" if peak < BOUND_MIB else f"  OVER {BOUND_MIB} MiB"
                line = f"{name:28} {size / 2**20:8.2f}Mi {status:>6} {peak:13.1f} MiB  {message[:90]}{flag}"
                print(line)  # noqa: T201 - the bench report
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
