"""Load test of the production server: 200 clients for 60 s on four pages, signed in.

Serves the project one of two ways against the same PostgreSQL database and Redis, loads
it with wrk (Debian's package) over the landing page, the catalogue, a citizen's quest page
and the agent inbox, and reports requests per second, errors, latency, the most
connections the project held on PostgreSQL (read from ``pg_stat_activity`` every 0.2 s)
and the resident memory of each web process after the run:

- ``serve``: ``make serve``'s processes (Procfile through honcho: gunicorn's threaded
  worker with a connection pool per process, a Celery worker and beat);
- ``uvicorn``: the setup this replaced, two uvicorn workers under gunicorn with
  ``CONN_MAX_AGE=60`` and no pool.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civiquest_load REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/serving/load_test.py serve uvicorn

Figures go to ``var/bench-serving.json`` and are kept in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[2]
WRK = shutil.which("wrk") or "/usr/bin/wrk"
BIN = Path(sys.executable).parent
SETUPS: dict[str, dict[str, Any]] = {
    "serve": {
        "command": [str(BIN / "honcho"), "--procfile", "Procfile", "start"],
        "env": {},
        "taxes_worker": True,
    },
    "uvicorn": {
        "command": [
            str(BIN / "gunicorn"),
            "config.asgi:application",
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        "env": {"CIVIQUEST_DB_POOL": "0", "CIVIQUEST_DB_CONN_MAX_AGE": "60"},
        # No Celery process ran beside it: no tax estimate can be computed.
        "taxes_worker": False,
    },
}
WRK_SCRIPT = """
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local i = 0
request = function()
  i = (i %% #paths) + 1
  if cookies[i] == "" then
    return wrk.format("GET", paths[i])
  end
  return wrk.format("GET", paths[i], {["Cookie"] = cookies[i]})
end
"""


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(env: dict[str, str]) -> list[tuple[str, str]]:
    """Demo data, a citizen with a passport quest and the demo agent: (path, session cookie)."""
    manage("migrate", "--no-input", "--verbosity", "0", env=env)
    manage("collectstatic", "--no-input", "--verbosity", "0", env=env)
    manage("demo_seed", env=env)
    manage("catalogue_load", env=env)
    code = """
from django.test import Client
from civiquest.accounts.models import Role, User
from civiquest.catalogue.models import Procedure
from civiquest.quests.services import quest_start
citizen, _ = User.objects.get_or_create(username="load-test-citizen", defaults={"role": Role.CITIZEN,
    "first_name": "Camille", "last_name": "Martin"})
quest = citizen.quests.first() or quest_start(citizen=citizen, procedure=Procedure.objects.get(slug="passeport"))
cookies = {}
for name, user in (("citizen", citizen), ("agent", User.objects.get(username="agent"))):
    client = Client()
    client.force_login(user)
    cookies[name] = client.cookies["sessionid"].value
print(quest.pk, cookies["citizen"], cookies["agent"])
"""
    output = subprocess.run(  # noqa: S603
        [str(BIN / "python"), "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout.decode()
    quest_id, citizen, agent = output.split()[-3:]
    return [
        ("/", ""),
        ("/demarches/", ""),
        (f"/mes-demarches/{quest_id}/", f"sessionid={citizen}"),
        ("/agent/", f"sessionid={agent}"),
    ]


def connections_of(database: str, dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        ).fetchone()
    return int(row[0]) if row else 0


class ConnectionSampler(threading.Thread):
    """The most connections the project held on PostgreSQL while the load ran."""

    def __init__(self, database: str, dsn: str) -> None:
        super().__init__(daemon=True)
        self.database, self.dsn = database, dsn
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            while not self.stopped.wait(0.2):
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database],
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)


def wait_until_served(base: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def estimate_taxes(base: str, cookie: str, times: int) -> None:
    """Tax estimates through the API (the taxes worker computes them; 503 while it starts)."""
    with httpx.Client(base_url=base, headers={"Cookie": cookie}, timeout=60) as client:
        client.get("/mon-espace/impots/simulateur/")
        token = client.cookies.get("csrftoken", "")
        # Households never estimated before: an estimate from the cache would not be computed.
        first_salary = 20_000 + secrets.randbelow(50_000)
        patience = time.monotonic() + 90
        for salaries in range(times):
            while True:
                response = client.post(
                    "/api/v1/taxes/simulate",
                    json={"marital_status": "celibataire", "declarants": [{"salaries": first_salary + salaries}]},
                    # A new connection each time, so that every web process gets some.
                    headers={"X-CSRFToken": token, "Cookie": f"{cookie}; csrftoken={token}", "Connection": "close"},
                )
                if response.status_code != 503 or time.monotonic() > patience:
                    break
                time.sleep(1)  # the taxes worker is still building OpenFisca
            if response.status_code != 200:
                raise RuntimeError(f"the tax estimate answered {response.status_code}: {response.text[:200]}")


def web_processes(root: psutil.Process) -> list[psutil.Process]:
    """Gunicorn's workers: the children of the gunicorn master (a Python process, not the shell)."""
    masters = set()
    for process in [root, *root.children(recursive=True)]:
        try:
            command = process.cmdline()
        except psutil.Error:
            continue
        if command and "python" in Path(command[0]).name and any("gunicorn" in part for part in command):
            masters.add(process.pid)
    return [process for process in root.children(recursive=True) if process.ppid() in masters]


def parse_wrk(output: str) -> dict[str, Any]:
    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0.0

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "requests": int(number(r"(\d+) requests in")),
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": dict(
            zip(("connect", "read", "write", "timeout"), map(int, socket_errors.groups()), strict=True)
        )
        if socket_errors
        else {},
        "latency": {
            p: line.split()[-1]
            for line in output.splitlines()
            for p in ("50%", "90%", "99%")
            if line.strip().startswith(p)
        },
    }


def run_setup(
    name: str, args: argparse.Namespace, env: dict[str, str], pages: list[tuple[str, str]]
) -> dict[str, Any]:
    setup = SETUPS[name]
    port = str(args.port)
    base = f"http://127.0.0.1:{port}"
    run_env = {**env, **setup["env"], "PORT": port, "CIVIQUEST_PUBLIC_URL": base, "PATH": f"{BIN}:{env['PATH']}"}
    # Runs follow each other within the tax simulator's per-citizen window.
    run_env["TAXES_SIMULATIONS_PER_WINDOW"] = "100000"
    command = list(setup["command"])
    if name == "uvicorn":
        command += ["--bind", f"127.0.0.1:{port}"]
    else:
        command += ["--port", port]
    # The server's own output, to read when a figure looks wrong.
    log = (ROOT / "var" / f"bench-serving-{name}.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=run_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    database = str(psycopg.conninfo.conninfo_to_dict(args.dsn)["dbname"])
    admin_dsn = re.sub(r"/[^/]+$", "/postgres", args.dsn)
    try:
        wait_until_served(base, process)
        for path, cookie in pages:
            response = httpx.get(base + path, headers={"Cookie": cookie} if cookie else {}, timeout=10)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code} before the load")
        paths = ", ".join(json.dumps(path) for path, _ in pages)
        cookies = ", ".join(json.dumps(cookie) for _, cookie in pages)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % {"paths": paths, "cookies": cookies})
        # Warm-up: every worker imports its templates, fills its pool and serves tax estimates,
        # so the memory read after the run is that of a warm process.
        if setup["taxes_worker"]:
            estimate_taxes(base, pages[2][1], times=12)
        subprocess.run(  # noqa: S603
            [WRK, "-t2", "-c20", "-d5s", "-s", script.name, base], check=True, capture_output=True
        )
        sampler = ConnectionSampler(database, admin_dsn)
        sampler.start()
        result = subprocess.run(  # noqa: S603
            [
                WRK,
                "-t2",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                script.name,
                base,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        sampler.stopped.set()
        sampler.join()
        figures = parse_wrk(result.stdout)
        figures["pg_connections_peak"] = sampler.peak
        workers = web_processes(psutil.Process(process.pid))
        figures["web_rss_mib"] = [round(p.memory_info().rss / 2**20, 1) for p in workers]
        # PSS shares the pages a worker still shares with the others (and the master) between them.
        figures["web_pss_mib"] = [round(p.memory_full_info().pss / 2**20, 1) for p in workers]
        figures["wrk"] = result.stdout
        return figures
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        time.sleep(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("setups", nargs="+", choices=sorted(SETUPS))
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--port", type=int, default=8400)
    args = parser.parse_args()
    args.dsn = os.environ.get("DATABASE_URL", "")
    if not args.dsn.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the load test measures the production stack.")
    env = {**os.environ, "CIVIQUEST_MANIFEST_STATIC": "1"}
    pages = prepare(env)
    results = {name: run_setup(name, args, env, pages) for name in args.setups}
    for name, figures in results.items():
        summary = {key: value for key, value in figures.items() if key != "wrk"}
        sys.stdout.write(f"{name} {json.dumps(summary, indent=2)}\n")
    output = ROOT / "var" / "bench-serving.json"
    output.write_text(json.dumps(results, indent=2))
    sys.stdout.write(f"figures in {output}\n")


if __name__ == "__main__":
    main()
