"""Mutation testing of the critical modules with cosmic-ray (issue 22); run by `make mutate`.

Each ``mutation/<name>.toml`` is a cosmic-ray configuration (the module and the narrowest test
command that exercises it) with an optional ``[civiquest]`` table:

- ``definitions``: mutate only inside these functions (cosmic-ray's ``definition_name``),
  for a module of which only a part is critical;
- ``workers``: how many worker copies run mutants side by side (default 2);
- ``postgresql``: run on PostgreSQL, as ``--postgresql`` does (below).

For each module this script:

1. copies the working tree (tracked and untracked files git does not ignore) into
   ``var/mutate/<name>/w<N>``, one copy per worker: cosmic-ray mutates the source file in
   place, so it only ever mutates those copies, never the checkout;
2. runs the unmutated test command in each copy (it must pass; it also creates the copy's
   test database, SQLite ``/tmp/mutate-<name>-w<N>.sqlite3`` or, with ``--postgresql``,
   PostgreSQL ``test_civiquest_mutate_<name>_w<N>``, reused by every mutant);
3. ``cosmic-ray init``, then marks as skipped the mutants in type annotations (never
   evaluated: the modules use ``from __future__ import annotations``) and those outside
   ``definitions``;
4. starts one ``cosmic-ray http-worker`` per copy and runs ``cosmic-ray exec``;
5. prints the score (killed / (killed + survived)), the incompetent mutants (timeout or
   crash, counted as killed by cosmic-ray, shown apart here) and each survivor with
   file:line, operator, function and the mutated line.

Usage: ``mutation/run.py [--survivors | --report] [--postgresql] [--lines=L1,L2-L3] [name ...]``
(default: every ``mutation/*.toml``).
``--report`` prints the last session's figures again without running anything.
``--survivors`` keeps the module's last session and runs again only its surviving mutants
(after a test was added, or the test command widened: a killed mutant stays killed).
``--postgresql`` (or ``postgresql = true`` in the module's ``[civiquest]`` table) runs the tests on
PostgreSQL instead of SQLite, each worker on its own database ``civiquest_mutate_<name>_w<N>``
(pytest-django's ``test_`` copy of it) at ``MUTATE_POSTGRESQL`` (default
``postgresql://postgres@127.0.0.1:5432``): the tests that need two writers at once (lost insert
races) skip on SQLite.
``--lines=113,121-126`` runs only the mutants that start on those lines of the module (the others
are skipped, with that reason): a targeted run after tests were written for some survivors, when
the whole module takes too long; its score is over those lines only.
The session database stays in ``var/mutate/<name>/session.sqlite`` for ``cosmic-ray dump``.
"""

from __future__ import annotations

import ast
import os
import shutil
import socket
import sqlite3
import subprocess  # noqa: S404
import sys
import time
import tomllib
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "mutation"
VAR = ROOT / "var" / "mutate"
BIN = Path(sys.executable).parent
# Each worker has its own test database (SQLite, or PostgreSQL with --postgresql); the shared
# services are never used.
DROPPED_ENV = ("DATABASE_URL", "REDIS_URL", "CIVIQUEST_CLAMD_HOST", "CIVIQUEST_CLAMD_PORT")
POSTGRESQL_SERVER = os.environ.get("MUTATE_POSTGRESQL", "postgresql://postgres@127.0.0.1:5432")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _copy_tree(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    listed = subprocess.run(  # noqa: S603
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        rel = Path(os.fsdecode(raw))
        src = ROOT / rel
        if not src.is_file():
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / rel)


def _annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    spans = []
    for node in ast.walk(ast.parse(source)):
        annotations = []
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            annotations.append(node.annotation)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            annotations.append(node.returns)
        for ann in annotations:
            spans.append(((ann.lineno, ann.col_offset), (ann.end_lineno or ann.lineno, ann.end_col_offset or 0)))
    return spans


def _skip_reason(mutation, spans, definitions, lines: set[int] | None = None) -> str | None:
    start = tuple(mutation.start_pos)
    if any(low <= start < high for low, high in spans):
        return "in a type annotation (never evaluated)"
    if definitions and mutation.definition_name not in definitions:
        return f"outside {', '.join(definitions)}"
    if lines is not None and start[0] not in lines:
        return "outside the lines asked for (--lines)"
    return None


def _filter(db: WorkDB, module_path: Path, definitions: list[str], lines: set[int] | None = None) -> int:
    spans = _annotation_spans((ROOT / module_path).read_text())
    skipped = 0
    for item in list(db.pending_work_items):
        reason = _skip_reason(item.mutations[0], spans, definitions, lines)
        if reason:
            db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=reason))
            skipped += 1
    return skipped


def _mutated_line(diff: str | None) -> str:
    for line in (diff or "").splitlines():
        if line.startswith("+") and not line.startswith("+++"):
            return line[1:].strip()
    return ""


def _worker_env(env: dict[str, str], name: str, index: int, postgresql: bool) -> dict[str, str]:
    if postgresql:
        # pytest-django creates (or, with --reuse-db, keeps) test_civiquest_mutate_<name>_w<N>.
        return dict(env, DATABASE_URL=f"{POSTGRESQL_SERVER}/civiquest_mutate_{name}_w{index}")
    path = f"/tmp/mutate-{name}-w{index}.sqlite3"  # noqa: S108
    Path(path).unlink(missing_ok=True)
    return dict(env, CIVIQUEST_TEST_SQLITE_PATH=path)


def _parse_lines(text: str) -> set[int]:
    lines: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        lines.update(range(int(low), int(high or low) + 1))
    return lines


def run_module(
    name: str, survivors_only: bool = False, postgresql: bool = False, lines: set[int] | None = None
) -> tuple[int, int]:
    config_path = HERE / f"{name}.toml"
    config = tomllib.loads(config_path.read_text())
    extra = config.get("civiquest", {})
    definitions = list(extra.get("definitions", []))
    n_workers = int(extra.get("workers", 2))
    postgresql = postgresql or bool(extra.get("postgresql", False))
    module_path = Path(config["cosmic-ray"]["module-path"])
    test_command = config["cosmic-ray"]["test-command"].replace("{python}", str(BIN / "python"))
    base = VAR / name
    base.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    workers = []
    for index in range(n_workers):
        copy = base / f"w{index}"
        _copy_tree(copy)
        worker_env = _worker_env(env, name, index, postgresql)
        # The unmutated code must pass: otherwise every mutant would count as killed.
        baseline = subprocess.run(  # noqa: S603
            [*test_command.split(), "--create-db"], cwd=copy, env=worker_env, capture_output=True, text=True
        )
        if baseline.returncode != 0:
            sys.stdout.write(baseline.stdout[-3000:] + baseline.stderr[-3000:])
            raise SystemExit(f"{name}: the tests fail without any mutation ({test_command})")
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603
            [str(BIN / "cosmic-ray"), "http-worker", "--port", str(port)],
            cwd=copy,
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=(base / f"w{index}.log").open("w"),
        )
        workers.append((process, port))

    session = base / "session.sqlite"
    if survivors_only and not session.is_file():
        raise SystemExit(f"{name}: no previous session in {session}")
    if not survivors_only:
        session.unlink(missing_ok=True)
    effective = base / "config.toml"
    urls = ", ".join(f'"http://127.0.0.1:{port}"' for _, port in workers)
    effective.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module_path}"\n'
        f"timeout = {float(config['cosmic-ray'].get('timeout', 120.0))}\n"
        "excluded-modules = []\n"
        f'test-command = "{test_command}"\n\n'
        '[cosmic-ray.distributor]\nname = "http"\n\n'
        f"[cosmic-ray.distributor.http]\nworker-urls = [{urls}]\n"
    )
    try:
        for _, port in workers:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
        if survivors_only:
            connection = sqlite3.connect(session)
            with connection:  # cosmic-ray stores the outcome's enum name
                connection.execute("DELETE FROM work_results WHERE test_outcome = ?", (TestOutcome.SURVIVED.name,))
            connection.close()
        else:
            init = [str(BIN / "cosmic-ray"), "init", str(effective), str(session)]
            subprocess.run(init, cwd=ROOT, check=True)  # noqa: S603
            with use_db(str(session)) as db:
                _filter(db, module_path, definitions, lines)
        subprocess.run([str(BIN / "cosmic-ray"), "exec", str(effective), str(session)], cwd=ROOT, check=True)  # noqa: S603
    finally:
        for process, _ in workers:
            process.terminate()
            process.wait(timeout=30)
    return report(name, started)


def report(name: str, started: float | None = None) -> tuple[int, int]:
    """Print the score and the survivors of the module's last session (complete or not)."""
    config = tomllib.loads((HERE / f"{name}.toml").read_text())
    definitions = list(config.get("civiquest", {}).get("definitions", []))
    module_path = config["cosmic-ray"]["module-path"]
    session = VAR / name / "session.sqlite"
    killed = survived = incompetent = skipped = 0
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        pending = db.num_work_items - db.num_results
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                skipped += 1
                continue
            if result.test_outcome == TestOutcome.SURVIVED:
                survived += 1
                survivors.append((item.mutations[0], result))
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                incompetent += 1
            else:
                killed += 1
    tested = killed + survived
    score = 100.0 * killed / tested if tested else 0.0
    duration = f"; {(time.monotonic() - started) / 60:.1f} min" if started is not None else ""
    say(f"\n== {name}: {module_path}" + (f" ({', '.join(definitions)})" if definitions else ""))
    say(
        f"   score {score:.1f}%: {killed} killed / {tested} run ({survived} survived); "
        f"{incompetent} incompetent, {skipped} skipped, {pending} not run{duration}"
    )
    for mutation, result in sorted(survivors, key=lambda s: (s[0].start_pos, s[0].operator_name)):
        line, col = mutation.start_pos
        say(
            f"   SURVIVED {mutation.module_path}:{line}:{col} {mutation.operator_name} "
            f"#{mutation.occurrence} in {mutation.definition_name}: {_mutated_line(result.diff)}"
        )
    return killed, tested


def main(argv: list[str]) -> int:
    survivors_only = "--survivors" in argv
    report_only = "--report" in argv
    postgresql = "--postgresql" in argv
    lines = next((_parse_lines(arg.removeprefix("--lines=")) for arg in argv if arg.startswith("--lines=")), None)
    argv = [
        arg
        for arg in argv
        if arg not in ("--survivors", "--report", "--postgresql") and not arg.startswith("--lines=")
    ]
    names = argv or sorted(path.stem for path in HERE.glob("*.toml"))
    unknown = [name for name in names if not (HERE / f"{name}.toml").is_file()]
    if unknown:
        say(f"Unknown module(s): {', '.join(unknown)}; configured: {', '.join(p.stem for p in HERE.glob('*.toml'))}")
        return 2
    totals = [report(name) if report_only else run_module(name, survivors_only, postgresql, lines) for name in names]
    killed = sum(k for k, _ in totals)
    tested = sum(t for _, t in totals)
    if len(names) > 1 and tested:
        say(f"\n== total: {100.0 * killed / tested:.1f}% ({killed} / {tested})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
